"""Trains the tiny "blue" LoRA of test/fixtures/lora/: on the default model (models/framepack-tiny-weights,
frozen), low-rank adapters learn to turn the video blue (every frame after the start frame tinted
towards blue) with the same flow-matching loss as train_transformer.py, one-section clips of the
training data set. Saved in the Kohya/Musubi layout over HunyuanVideo's original module names
(lora_unet_single_blocks_0_linear1.lora_down.weight, .lora_up.weight, .alpha), the layout that
exercises most of the loader: fused q/k/v(+mlp) splits, final_layer's swapped shift/scale halves,
and alpha/rank scaling. The mapping to the transformer's own names below is written from
diffusers' _convert_hunyuan_video_lora_to_diffusers, independently of daemon/models/lora/.

  /usr/bin/python3 scripts/train/train_lora.py --run /tmp/lora-run --out test/fixtures/lora/blue-kohya.safetensors

Needs `npx tsx` (encode-conditions.ts computes the frozen text/image conditioning). 100 steps of
batch 4 took ~15 min on this shared 2-core machine (4.5–12 s per step); the loss went 3.1 → 0.07.
"""
import argparse
import json
import os
import subprocess
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import torch
import torch.nn.functional as F

import common
import data
import sections
import st
import transformer_ref
import vae_ref

WEIGHTS = os.path.join(common.REPO, "models", "framepack-tiny-weights")


def tint_blue(px):
    """uint8 [F, H, W, 3] -> the same scene pushed towards blue (what the LoRA learns)."""
    f = px.astype(np.float32)
    out = np.stack([f[..., 0] * 0.2, f[..., 1] * 0.3, 90.0 + f[..., 2] * 0.65], -1)
    return np.clip(out, 0, 255).astype(np.uint8)


def modules(tc):
    """(original module name, in features, [(our Linear, rows of B)], extra) for the adapted Linears."""
    h = tc["numAttentionHeads"] * tc["attentionHeadDim"]
    mlp = int(h * tc["mlpRatio"])
    out = []
    for i in range(tc["numSingleLayers"]):
        p = "single_transformer_blocks.%d" % i
        out.append(("single_blocks.%d.linear1" % i, h, [(p + ".attn.to_q", 0, h), (p + ".attn.to_k", h, h), (p + ".attn.to_v", 2 * h, h), (p + ".proj_mlp", 3 * h, mlp)]))
        out.append(("single_blocks.%d.linear2" % i, h + mlp, [(p + ".proj_out", 0, h)]))
    for i in range(tc["numLayers"]):
        p = "transformer_blocks.%d" % i
        out.append(("double_blocks.%d.img_attn_qkv" % i, h, [(p + ".attn.to_q", 0, h), (p + ".attn.to_k", h, h), (p + ".attn.to_v", 2 * h, h)]))
        out.append(("double_blocks.%d.img_mlp.fc2" % i, mlp, [(p + ".ff.net.2", 0, h)]))
    out.append(("final_layer.linear", h, [("proj_out", 0, tc["patchSize"] ** 2 * tc["patchSizeT"] * tc["outChannels"])]))
    return out


def final_mod_rows(h):
    """final_layer.adaLN_modulation.1 is (shift, scale); our norm_out.linear is (scale, shift)."""
    return [("norm_out.linear", h, h, 0), ("norm_out.linear", 0, h, h)]  # (target, srcRow, rows, dstRow)


def effective_weights(W, lora, tc, scale):
    """W with every adapter's scale·B·A added on its Linears (rows mapped as diffusers does)."""
    h = tc["numAttentionHeads"] * tc["attentionHeadDim"]
    E = dict(W)
    for name, _, parts in modules(tc):
        A, B = lora[name]
        for target, row, rows in parts:
            E[target + ".weight"] = E[target + ".weight"] + scale * B[row:row + rows] @ A
    A, B = lora["final_layer.adaLN_modulation.1"]
    delta = torch.zeros(2 * h, A.shape[1])
    d = scale * B @ A
    for target, src, rows, dst in final_mod_rows(h):
        delta = torch.cat([delta[:dst], d[src:src + rows], delta[dst + rows:]], 0)
    E["norm_out.linear.weight"] = E["norm_out.linear.weight"] + delta
    return E


def conditions(run, dcfg, n):
    path = os.path.join(run, "conditions.safetensors")
    if not os.path.exists(path):
        cin = os.path.join(run, "cond-in")
        data.dump_starts(cin, dcfg["seed"], n, dcfg["height"], dcfg["width"], 2)
        subprocess.run(["npx", "tsx", "scripts/train/encode-conditions.ts", "--bundle", "models/framepack-tiny", "--in", cin, "--out", path],
                       cwd=common.REPO, check=True)
    return st.load(path)


def latents(run, cfg, n, frames):
    path = os.path.join(run, "latents.pt")
    if os.path.exists(path):
        return torch.load(path)
    dcfg = cfg["data"]
    vae = vae_ref.VAE(common.component_config(cfg, "vae"))
    vae.load_state_dict(st.load(os.path.join(WEIGHTS, "vae.safetensors")))
    vae.eval()
    scale = common.bundle_manifest(cfg)["latent"]["scalingFactor"]
    zs, zb = [], []
    with torch.no_grad():
        for i in range(n):
            px = data.clip(dcfg["seed"], i, dcfg["height"], dcfg["width"], dcfg["frames"])[0][:frames]
            zs.append(vae.encode(common.clip_tensor(px)[None])[0][0] * scale)
            zb.append(vae.encode(common.clip_tensor(tint_blue(px))[None])[0][0] * scale)
    out = {"plain": torch.stack(zs), "blue": torch.stack(zb)}
    torch.save(out, path)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default=os.path.join(common.HERE, "config.json"))
    ap.add_argument("--run", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--clips", type=int, default=24)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--rank", type=int, default=4)
    ap.add_argument("--alpha", type=float, default=2.0, help="saved .alpha; the delta is (alpha/rank)·B·A")
    ap.add_argument("--lr", type=float, default=1e-2)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.run, exist_ok=True)
    cfg = common.load_config(args.config)
    dcfg, tcfg = cfg["data"], cfg["transformer"]
    tc = common.component_config(cfg, "transformer")
    ws = dcfg["latentWindowSize"]
    z = latents(args.run, cfg, args.clips, 1 + 4 * ws)
    cond = conditions(args.run, dcfg, args.clips)
    W = {k: v.float() for k, v in st.load(os.path.join(WEIGHTS, "transformer.safetensors")).items()}
    h = tc["numAttentionHeads"] * tc["attentionHeadDim"]

    common.seed_everything(7)
    rng = np.random.default_rng(7)
    lora = {}
    for name, inF, parts in modules(tc):
        outF = sum(r for _, _, r in parts)
        lora[name] = (torch.randn(args.rank, inF) / inF ** 0.5, torch.zeros(outF, args.rank))
    lora["final_layer.adaLN_modulation.1"] = (torch.randn(args.rank, h) / h ** 0.5, torch.zeros(2 * h, args.rank))
    params = [t for ab in lora.values() for t in ab]
    for t in params:
        t.requires_grad_(True)
    opt = torch.optim.Adam(params, lr=args.lr)
    scale = args.alpha / args.rank
    sec = sections.inverted_section(1, 0, ws)
    for step in range(1, args.steps + 1):
        t0 = time.time()
        opt.zero_grad(set_to_none=True)
        E = effective_weights(W, lora, tc, scale)
        total = 0.0
        for _ in range(args.batch):
            i = int(rng.integers(args.clips))
            zi = z["blue"][i].clone()
            zi[:, 0] = z["plain"][i][:, 0]  # the start frame is the user's (untinted) image
            t = float(rng.random())
            sigma = tcfg["sigmaShift"] * t / (1 + (tcfg["sigmaShift"] - 1) * t)
            x0 = zi[:, sec["window"]][None]
            noise = torch.randn_like(x0)
            inputs = {
                "hidden_states": (1 - sigma) * x0 + sigma * noise, "latent_indices": torch.tensor([sec["idx_latent"]]),
                "clean_latents": torch.stack([zi[:, j] if j is not None else torch.zeros_like(zi[:, 0]) for j in sec["clean"]], 1)[None],
                "clean_latent_indices": torch.tensor([sec["idx_clean"]]),
                "clean_latents_2x": torch.zeros(1, zi.shape[0], len(sec["clean2x"]), zi.shape[2], zi.shape[3]),
                "clean_latent_2x_indices": torch.tensor([sec["idx_clean2x"]]),
                "clean_latents_4x": torch.zeros(1, zi.shape[0], len(sec["clean4x"]), zi.shape[2], zi.shape[3]),
                "clean_latent_4x_indices": torch.tensor([sec["idx_clean4x"]]),
                "timestep": torch.tensor([sigma * 1000.0]), "guidance": torch.tensor([tcfg["guidance"] * 1000.0]),
            }
            row = int(cond["prompt_of_clip"][i])
            n_tok = int(cond["llama_tokens"][row])
            inputs.update({"encoder_hidden_states": cond["llama"][row:row + 1, :n_tok], "encoder_attention_mask": torch.ones(1, n_tok, dtype=torch.bool),
                           "pooled_projections": cond["pooled"][row:row + 1], "image_embeddings": cond["image_embeddings"][i:i + 1]})
            v = transformer_ref.forward(tc, E, inputs)
            loss = F.mse_loss(v, noise - x0) / args.batch
            loss.backward(retain_graph=True)
            total += float(loss)
        opt.step()
        if step % 20 == 0 or step == 1:
            print(json.dumps({"step": step, "loss": round(total, 5), "secPerStep": round(time.time() - t0, 2)}), flush=True)
        if step % 20 == 0 or step == args.steps:
            save(args, lora)


def save(args, lora):
    """Writes the adapters in the Kohya/Musubi layout (fp16 matrices, float32 alpha), atomically."""
    out = {}
    for name, (A, B) in lora.items():
        k = "lora_unet_" + name.replace(".", "_")
        out[k + ".lora_down.weight"] = A.detach().half()
        out[k + ".lora_up.weight"] = B.detach().half()
        out[k + ".alpha"] = torch.tensor(args.alpha, dtype=torch.float32)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    st.save(args.out + ".tmp", out)
    os.replace(args.out + ".tmp", args.out)
    print(json.dumps({"out": args.out, "tensors": len(out), "bytes": os.path.getsize(args.out)}))


if __name__ == "__main__":
    main()
