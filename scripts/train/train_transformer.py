"""Stage 2: train the tiny FramePack transformer (scripts/reference/transformer_ref.py's forward,
official parameter names, started from the seeded weights rebuilt by transformer_init.py's identity
init, or as they are with transformer.init "seeded") with flow matching on
the stage-1 VAE's latents, one random section per sample, packed context as the engine builds it
(sections.py mirrors daemon/engine/section-plan.ts): the inverted anti-drifting order at a random
section count and step, and, for a fraction of samples, the vanilla baseline order, so the drift
benchmark compares sampling schemes with one set of weights.

Flow matching as the samplers assume (daemon/engine/samplers/guidance.ts): x_σ = (1−σ)·x0 + σ·ε,
the transformer predicts ε − x0 at timestep 1000·σ; σ = shift·t / (1 + (shift−1)·t), t ~ U(0, 1).
The guidance embedder always sees gs·1000 (the distilled-guidance input at the bundle's default gs).
Conditioning (frozen): RUN/conditions.safetensors from scripts/train/encode-conditions.ts.

  /usr/bin/python3 scripts/train/train_transformer.py --config scripts/train/config.json --run RUN \
      --init RUN/seeded/transformer.safetensors [--steps N] [--threads 2] [--workers 2]
"""
import argparse
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
import sections
import st
import transformer_init
import transformer_ref
import vae_ref


def latent_cache(run, cfg, rank=0, workers=1, barrier=lambda: None):
    """Posterior mean × scalingFactor of the first `latentCacheClips` clips, [N, C, T, h, w]; built
    once (resumable in chunks: RUN/latents/part-*.pt; with several workers each builds every
    workers-th chunk, then all read them)."""
    dcfg, tcfg = cfg["data"], cfg["transformer"]
    final = os.path.join(run, "latents.pt")
    if os.path.exists(final):
        return torch.load(final)
    vae = vae_ref.VAE(common.component_config(cfg, "vae"))
    vae.load_state_dict(torch.load(os.path.join(run, "vae", "latest.pt"))["model"])
    vae.eval()
    scale = vae_scaling(run, cfg)
    frames = 1 + 4 * dcfg["latentWindowSize"] * dcfg["maxSections"]
    parts_dir = os.path.join(run, "latents")
    os.makedirs(parts_dir, exist_ok=True)
    n, chunk = tcfg["latentCacheClips"], 16
    paths = [os.path.join(parts_dir, "part-%05d.pt" % c0) for c0 in range(0, n, chunk)]
    for c0, p in zip(range(0, n, chunk), paths):
        if (c0 // chunk) % workers == rank and not os.path.exists(p):
            t0 = time.time()
            with torch.no_grad():
                zs = [vae.encode(common.clip_tensor(data.clip(dcfg["seed"], i, dcfg["height"], dcfg["width"], dcfg["frames"])[0][:frames])[None])[0][0]
                      for i in range(c0, min(n, c0 + chunk))]
            torch.save(torch.stack(zs) * scale, p + ".tmp")
            os.replace(p + ".tmp", p)
            print('{"stage": "latents", "clips": %d, "secPerClip": %.3f}' % (min(n, c0 + chunk), (time.time() - t0) / len(zs)), flush=True)
    barrier()
    z = torch.cat([torch.load(p) for p in paths])
    if rank == 0:
        torch.save(z, final + ".tmp")
        os.replace(final + ".tmp", final)
    return z


def vae_scaling(run, cfg):
    """The latent scaling factor: RUN/vae/scaling.json (export.py measures 1/std) or the bundle's."""
    p = os.path.join(run, "vae", "scaling.json")
    if os.path.exists(p):
        import json
        return json.load(open(p))["scalingFactor"]
    return common.component_config(cfg, "vae")["scalingFactor"]


def gather(z, ids):
    """[C, T, h, w] latents at `ids` along T; None -> a zero frame."""
    frames = [z[:, i] if i is not None else torch.zeros_like(z[:, 0]) for i in ids]
    return torch.stack(frames, 1)[None]


def sample_section(rng, tcfg, dcfg):
    ws, nmax = dcfg["latentWindowSize"], dcfg["maxSections"]
    if rng.random() < tcfg["vanillaFraction"]:
        return sections.vanilla_section(int(rng.integers(nmax)), ws)
    n = int(rng.integers(1, nmax + 1))
    return sections.inverted_section(n, int(rng.integers(n)), ws)


def section_inputs(z, cond, clip_idx, row, sec, xt, sigma, guidance):
    """transformer_ref.forward's inputs for one section of clip `clip_idx` (latents z [C, T, h, w]):
    the noisy window xt at σ, its packed clean context, and prompt `row`'s conditioning."""
    n_tok = int(cond["llama_tokens"][row])
    idx = lambda v: torch.tensor([v], dtype=torch.long)
    return {
        "hidden_states": xt, "latent_indices": idx(sec["idx_latent"]),
        "clean_latents": gather(z, sec["clean"]), "clean_latent_indices": idx(sec["idx_clean"]),
        "clean_latents_2x": gather(z, sec["clean2x"]), "clean_latent_2x_indices": idx(sec["idx_clean2x"]),
        "clean_latents_4x": gather(z, sec["clean4x"]), "clean_latent_4x_indices": idx(sec["idx_clean4x"]),
        "timestep": torch.tensor([sigma * 1000.0]), "guidance": torch.tensor([guidance * 1000.0]),
        "encoder_hidden_states": cond["llama"][row:row + 1, :n_tok], "encoder_attention_mask": torch.ones(1, n_tok, dtype=torch.bool),
        "pooled_projections": cond["pooled"][row:row + 1], "image_embeddings": cond["image_embeddings"][clip_idx:clip_idx + 1],
    }


def sample_loss(W, tc, z, cond, clip_idx, sec, sigma, noise, tcfg):
    x0 = gather(z, sec["window"])
    xt = (1 - sigma) * x0 + sigma * noise
    row = int(cond["prompt_of_clip"][clip_idx])
    v = transformer_ref.forward(tc, W, section_inputs(z, cond, clip_idx, row, sec, xt, sigma, tcfg["guidance"]))
    return F.mse_loss(v, noise - x0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default=os.path.join(common.HERE, "config.json"))
    ap.add_argument("--run", required=True)
    ap.add_argument("--init", required=True, help="seeded transformer.safetensors (scripts/train/seeded-weights.ts)")
    ap.add_argument("--steps", type=int)
    ap.add_argument("--threads", type=int, default=int(os.environ.get("TRAIN_THREADS", "2")))
    ap.add_argument("--workers", type=int, default=int(os.environ.get("TRAIN_WORKERS", "1")),
                    help="data-parallel processes sharing --threads (gloo all-reduce); the result does not depend on it")
    args = ap.parse_args()
    if args.workers <= 1:
        train(0, 1, args, None)
        return
    # This model's small matmuls do not get faster with a second torch thread (measured: 0.78 s/step
    # at 1 and at 2 threads), but two processes of one thread each train twice the samples.
    import socket
    import torch.multiprocessing as mp
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    mp.spawn(train, args=(args.workers, args, port), nprocs=args.workers, join=True)


def train(rank, workers, args, port):
    torch.set_num_threads(max(1, args.threads // workers))
    if workers > 1:
        import torch.distributed as dist
        dist.init_process_group("gloo", init_method="tcp://127.0.0.1:%d" % port, rank=rank, world_size=workers)
    cfg = common.load_config(args.config)
    dcfg, tcfg = cfg["data"], cfg["transformer"]
    tc = common.component_config(cfg, "transformer")
    out = os.path.join(args.run, "transformer")
    os.makedirs(out, exist_ok=True)
    ckpt = os.path.join(out, "latest.pt")

    z_all = latent_cache(args.run, cfg, rank, workers, dist.barrier if workers > 1 else lambda: None)
    cond = st.load(os.path.join(args.run, "conditions.safetensors"))
    n_clips = min(z_all.shape[0], cond["image_embeddings"].shape[0])

    # Every worker draws the whole batch from the same generators (and so keeps the same RNG state
    # for the checkpoint) and computes its share, samples i with i % workers == rank.
    common.seed_everything(cfg["seed"] + 2)
    rng = np.random.default_rng([cfg["seed"], 2])
    W = {k: v.float().clone() for k, v in st.load(args.init).items()}
    if tcfg.get("init") == "identity":
        transformer_init.identity_init(W, tc)  # blocks off, v = x_σ (transformer_init.py says why)
    elif tcfg.get("init", "seeded") != "seeded":
        raise ValueError("transformer.init must be \"seeded\" or \"identity\", got %r" % tcfg["init"])
    for v in W.values():
        v.requires_grad_(True)
    names = sorted(W)
    params = [W[k] for k in names]
    # No weight decay on gains and biases (1-D), the usual AdamW practice: decay would pull norm
    # gains (the q/k norms' among them) towards 0 rather than towards their neutral 1.
    opt = torch.optim.AdamW([
        {"params": [W[k] for k in names if W[k].dim() > 1], "weight_decay": tcfg["weightDecay"]},
        {"params": [W[k] for k in names if W[k].dim() <= 1], "weight_decay": 0.0},
    ], lr=tcfg["lr"], betas=(0.9, 0.99))
    step = 0
    if os.path.exists(ckpt):
        state = common.load_checkpoint(ckpt, rng)
        with torch.no_grad():
            for k in names:
                W[k].copy_(state["model"][k])
        opt.load_state_dict(state["optimizer"])
        step = state["step"]
        if rank == 0:
            print("resumed at step %d" % step, flush=True)
    log = common.JsonLog(os.path.join(out, "log.jsonl")) if rank == 0 else None
    stop = min(args.steps or tcfg["steps"], tcfg["steps"])
    shift = tcfg["sigmaShift"]
    while step < stop:
        t0 = time.time()
        lr = common.lr_at(step, tcfg)
        for g in opt.param_groups:
            g["lr"] = lr
        opt.zero_grad(set_to_none=True)
        # [loss sum, inverted loss sum, inverted count, vanilla loss sum, vanilla count]
        stats = torch.zeros(5, dtype=torch.float64)
        for i in range(tcfg["batch"]):
            clip_idx = int(rng.integers(n_clips))
            sec = sample_section(rng, tcfg, dcfg)
            t = float(rng.random())
            sigma = shift * t / (1 + (shift - 1) * t)
            noise = torch.randn(1, z_all.shape[1], len(sec["window"]), z_all.shape[3], z_all.shape[4])
            if i % workers != rank:
                continue
            loss = sample_loss(W, tc, z_all[clip_idx], cond, clip_idx, sec, sigma, noise, tcfg) / tcfg["batch"]
            loss.backward()
            m = 1 if sec["mode"] == "inverted" else 3
            stats[0] += float(loss)
            stats[m] += float(loss) * tcfg["batch"]
            stats[m + 1] += 1
        if workers > 1:
            # One all-reduce of every gradient and the stats in a flat buffer: one call per tensor
            # (≈ 200 of them) cost more than the samples themselves once BLAS was fast.
            grads = [prm.grad if prm.grad is not None else torch.zeros_like(prm) for prm in params]
            flat = torch.cat([g.flatten() for g in grads] + [stats.float()])
            dist.all_reduce(flat)
            parts = flat.split([g.numel() for g in grads] + [stats.numel()])
            for prm, g, part in zip(params, grads, parts):
                prm.grad = part.view_as(g)
            stats = parts[-1].double()
        gnorm = torch.nn.utils.clip_grad_norm_(params, tcfg["gradClip"])
        opt.step()
        step += 1
        if log and (step % tcfg["logEvery"] == 0 or step == stop or step == 1):
            mean = lambda s_, n_: float(s_ / n_) if n_ else None
            log.write(stage="transformer", step=step, loss=float(stats[0]), lr=lr, gradNorm=float(gnorm), secPerStep=round(time.time() - t0, 3),
                      loss_inverted=mean(stats[1], stats[2]), loss_vanilla=mean(stats[3], stats[4]))
        if rank == 0 and (step % tcfg["checkpointEvery"] == 0 or step == stop):
            common.save_checkpoint(ckpt, {"model": {k: W[k].detach().clone() for k in names}, "optimizer": opt.state_dict(), "step": step}, rng)
    if workers > 1:
        dist.barrier()
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
