"""Stage 1: train the tiny causal 3D VAE (scripts/reference/vae_ref.py, official parameter names)
on random (4k+1)-frame windows of data.py clips: reconstruction (MSE + L1 on pixels in [-1, 1]) plus
a small KL to N(0, 1) on the posterior. Resumable: RUN/vae/latest.pt holds model, optimizer, step
and every RNG; losses go to RUN/vae/log.jsonl.

  /usr/bin/python3 scripts/train/train_vae.py --config scripts/train/config.json --run RUN [--steps N]
"""
import argparse
import json
import os
import time

# One OpenBLAS thread per process (docs/training.md, Speed): its own threads on top of torch's
# made a transformer step 2-3x slower. Set before numpy and torch load the library.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import torch
import torch.nn.functional as F

import common
import data
import vae_init
import vae_ref


def batch(rng, dcfg, vcfg):
    xs = []
    n = vcfg["clipFrames"]
    for _ in range(vcfg["batch"]):
        idx = int(rng.integers(dcfg["clips"]))
        px, _, _ = data.clip(dcfg["seed"], idx, dcfg["height"], dcfg["width"], dcfg["frames"])
        start = int(rng.integers(0, dcfg["frames"] - n + 1))
        xs.append(common.clip_tensor(px[start:start + n]))
    return torch.stack(xs)


def losses(vae, x, kl_weight, posterior="mean"):
    """Reconstruction + L1 + a tiny KL. posterior "mean" decodes the posterior mean, as the engine
    does with every latent it decodes; "sample" decodes a reparameterised sample. With "sample" the
    unit posterior noise of a fresh encoder swamps the latents of this tiny VAE and it learns only
    blurred averages for hundreds of steps (measured: MSE still 0.15-0.29 at step 480)."""
    mean, logvar = vae.encode(x)
    z = mean if posterior == "mean" else mean + torch.exp(0.5 * logvar) * torch.randn_like(mean)
    recon = vae.decode(z)
    mse = F.mse_loss(recon, x)
    l1 = F.l1_loss(recon, x)
    kl = 0.5 * torch.mean(mean.pow(2) + logvar.exp() - 1 - logvar)
    return mse + l1 + kl_weight * kl, {"mse": float(mse), "l1": float(l1), "kl": float(kl), "latentStd": float(mean.std())}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default=os.path.join(common.HERE, "config.json"))
    ap.add_argument("--run", required=True)
    ap.add_argument("--steps", type=int, help="stop after this step (default: the config's)")
    ap.add_argument("--threads", type=int, default=int(os.environ.get("TRAIN_THREADS", "2")))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    cfg = common.load_config(args.config)
    dcfg, vcfg = cfg["data"], cfg["vae"]
    out = os.path.join(args.run, "vae")
    os.makedirs(out, exist_ok=True)
    ckpt = os.path.join(out, "latest.pt")

    common.seed_everything(cfg["seed"])
    rng = np.random.default_rng([cfg["seed"], 1])
    vae_cfg = common.component_config(cfg, "vae")
    vae = vae_ref.VAE(vae_cfg)
    if vcfg.get("init") == "block-average":
        vae_init.init_block_average(vae, vae_cfg)  # see vae_init.py; a resumed run overwrites it below
    opt = torch.optim.AdamW(vae.parameters(), lr=vcfg["lr"], betas=(0.9, 0.99), weight_decay=0.0)
    step = 0
    if os.path.exists(ckpt):
        state = common.load_checkpoint(ckpt, rng)
        vae.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        step = state["step"]
        print("resumed at step %d" % step, flush=True)
    log = common.JsonLog(os.path.join(out, "log.jsonl"))
    stop = min(args.steps or vcfg["steps"], vcfg["steps"])
    vae.train()
    while step < stop:
        t0 = time.time()
        lr = common.lr_at(step, vcfg)
        for g in opt.param_groups:
            g["lr"] = lr
        x = batch(rng, dcfg, vcfg)
        loss, parts = losses(vae, x, vcfg["klWeight"], vcfg.get("posterior", "sample"))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gnorm = torch.nn.utils.clip_grad_norm_(vae.parameters(), vcfg["gradClip"])
        opt.step()
        step += 1
        if step % vcfg["logEvery"] == 0 or step == stop or step == 1:
            log.write(stage="vae", step=step, loss=float(loss), lr=lr, gradNorm=float(gnorm), secPerStep=round(time.time() - t0, 3), **parts)
        if step % vcfg["checkpointEvery"] == 0 or step == stop:
            common.save_checkpoint(ckpt, {"model": vae.state_dict(), "optimizer": opt.state_dict(), "step": step}, rng)
    if step >= stop:
        scaling = measure_scaling(vae, dcfg, cfg["seed"])
        with open(os.path.join(out, "scaling.json"), "w") as f:
            json.dump({"scalingFactor": scaling, "step": step}, f)
        log.write(stage="vae", step=step, scalingFactor=scaling)


def measure_scaling(vae, dcfg, seed, clips=8, frames=37):
    """1 / std of the posterior means over a few held-out clips (indices past the training set), so
    scaled latents have unit variance as the flow-matching noise assumes (HunyuanVideo's 0.476986
    plays this role for the official VAE)."""
    vae.eval()
    with torch.no_grad():
        zs = [vae.encode(common.clip_tensor(data.clip(dcfg["seed"], dcfg["clips"] + i, dcfg["height"], dcfg["width"], dcfg["frames"])[0][:frames])[None])[0]
              for i in range(clips)]
    vae.train()
    return 1.0 / float(torch.cat(zs).std())


if __name__ == "__main__":
    main()
