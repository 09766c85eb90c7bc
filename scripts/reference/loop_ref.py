"""Independent PyTorch reference of the official FramePack worker loop, written from the behaviour of
lllyasviel/FramePack's demo_gradio.py worker() (inverted anti-drifting) and demo_gradio_f1.py
worker() (F1), with sample_hunyuan / fm_wrapper / soft_append_bcthw / vae_decode as FRAMEPACK.md
sections 6, 8 and 9 describe them. The transformer is transformer_ref.py (fp32, official tensor
names), the sampler unipc_ref.py (UniPC bh1, the official default), the noise one CPU
torch.Generator per job drawn once per section, the decode vae_ref.py's official temporal tiling.

  /usr/bin/python3 scripts/reference/loop_ref.py <dir>

<dir> holds config.json, inputs.safetensors (the conditioning computed by our encoders, which are
cross-checked on their own: llama_vec zero-padded + llama_mask, pooled, the same three for the
negative prompt, image_embeddings, start_latent) and ours.safetensors (our loop's history after
each section, `history_<k>` for generation index k, and, when config["decode"], our final video
`pixels` as uint8 [T, H, W, 3]). Prints one JSON line: the section count and paddings the official
rule gives, and per section the max abs error of the whole history and of the section's new frames.

Adaptations to the tiny bundle, not to our implementation: the latent has config["channels"]
channels instead of the hard-coded 16, and the transformer runs in float32 with the official bf16
casts of its inputs (x, timestep, guidance) kept, as our engine does."""
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import st  # noqa: E402
import transformer_ref  # noqa: E402
import unipc_ref  # noqa: E402


def section_count(seconds, ws):
    # int(max(round((seconds * 30) / (ws * 4)), 1)): Python's round is half-to-even.
    return int(max(round((seconds * 30) / (ws * 4)), 1))


def inverted_paddings(n):
    paddings = list(reversed(range(n)))
    if n > 4:
        # The official "duplicating 2s looks better than expanding" rule.
        paddings = [3] + [2] * (n - 3) + [1, 0]
    return paddings


def flux_sigmas(steps, frames, h, w, shift):
    # sample_hunyuan: seq_length = T·H·W // 4, μ from calculate_flux_mu (exp_max 7) unless shift.
    seq = frames * h * w // 4
    if shift is None:
        k = (1.15 - 0.5) / (4096 - 256)
        b = 0.5 - k * 256
        mu = min(k * seq + b, math.log(7.0))
    else:
        mu = math.log(shift)
    return unipc_ref.shifted_sigmas(steps, mu)


def bf16(x):
    return x.to(torch.bfloat16).float()


def make_model(tcfg, W, positive, negative, gs, cfg, rs, jitter=0.0):
    """fm_wrapper: velocity -> x0 with distilled guidance, real CFG and guidance rescale. `jitter`
    (diagnostic only) perturbs each velocity by that relative amount, like a float32 summation-order
    difference, to measure how far the loop itself carries such a difference."""
    noise = torch.Generator("cpu").manual_seed(1)

    def transformer(inputs):
        v = transformer_ref.forward(tcfg, W, inputs).float()
        return v * (1 + jitter * torch.randn(v.shape, generator=noise)) if jitter else v

    guidance = bf16(torch.tensor([gs * 1000.0], dtype=torch.float32))

    def model(x, sigma, context):
        sigma = sigma.float()
        xb = bf16(x)
        timestep = bf16((sigma * 1000.0).reshape(1))
        common = dict(context, hidden_states=xb, timestep=timestep, guidance=guidance)
        v_pos = transformer(dict(common, **positive))
        if cfg == 1.0:
            v_neg = torch.zeros_like(v_pos)
        else:
            v_neg = transformer(dict(common, **negative))
        v = v_neg + cfg * (v_pos - v_neg)
        if rs != 0:
            dims = list(range(1, v.ndim))
            ratio = v_pos.std(dim=dims, keepdim=True) / v.std(dim=dims, keepdim=True)
            v = rs * (v * ratio) + (1.0 - rs) * v
        return xb - v * sigma

    return model


def soft_append(history, current, overlap):
    """soft_append_bcthw(history, current, overlap): `history` is the earlier clip in time."""
    if overlap <= 0:
        return torch.cat([history, current], dim=2)
    w = torch.linspace(1, 0, overlap, dtype=history.dtype).view(1, 1, -1, 1, 1)
    blended = w * history[:, :, -overlap:] + (1 - w) * current[:, :, :overlap]
    return torch.cat([history[:, :, :-overlap], blended, current[:, :, overlap:]], dim=2)


def run_loop(cfg, inputs, jitter=0.0):
    """Returns (section count, paddings or None, [real history after each section], pixels or None)."""
    ws, C, h, w = cfg["windowSize"], cfg["channels"], cfg["latentHeight"], cfg["latentWidth"]
    W = {k: v.float() for k, v in st.load(cfg["transformerWeights"]).items()}
    tcfg = cfg["transformer"]
    positive = dict(encoder_hidden_states=inputs["llama_vec"].float(), encoder_attention_mask=inputs["llama_mask"],
                    pooled_projections=inputs["pooled"].float())
    negative = dict(encoder_hidden_states=inputs["llama_vec_n"].float(), encoder_attention_mask=inputs["llama_mask_n"],
                    pooled_projections=inputs["pooled_n"].float())
    image = inputs["image_embeddings"].float()
    model = make_model(tcfg, W, positive, negative, cfg["gs"], cfg["cfg"], cfg["rs"], jitter)
    start = inputs["start_latent"].float()
    n = section_count(cfg["seconds"], ws)
    frames = ws * 4 - 3
    sigmas = flux_sigmas(cfg["steps"], (frames + 3) // 4, h, w, cfg.get("shift"))
    rnd = torch.Generator("cpu").manual_seed(cfg["seed"])

    decode = None
    if cfg.get("decode") and not jitter:
        import vae_ref
        vae = vae_ref.VAE(cfg["vae"])
        vae.load_state_dict({k: v.float() for k, v in st.load(cfg["vaeWeights"]).items()}, strict=True)
        vae.eval()
        decode = lambda z: vae.tiled_decode(z / cfg["scalingFactor"])  # noqa: E731

    def sample(context):
        noise = torch.randn((1, C, (frames + 3) // 4, h, w), generator=rnd, dtype=torch.float32)
        _, x0 = unipc_ref.unipc_sample(lambda x, s: model(x, s, context), noise, sigmas, "bh1")
        return x0

    def ctx(latent_idx, clean, clean_idx, c2x, idx2x, c4x, idx4x):
        return dict(image_embeddings=image, latent_indices=latent_idx, clean_latents=clean, clean_latent_indices=clean_idx,
                    clean_latents_2x=c2x, clean_latent_2x_indices=idx2x, clean_latents_4x=c4x, clean_latent_4x_indices=idx4x)

    sections, pixels = [], None
    if cfg["mode"] == "inverted":
        paddings = inverted_paddings(n)
        history = torch.zeros((1, C, 1 + 2 + 16, h, w), dtype=torch.float32)
        total = 0
        for p in paddings:
            last = p == 0
            ps = p * ws
            idx = torch.arange(0, 1 + ps + ws + 1 + 2 + 16).unsqueeze(0)
            pre, _blank, lat_idx, post_idx, idx2x, idx4x = idx.split([1, ps, ws, 1, 2, 16], dim=1)
            post, c2x, c4x = history[:, :, :1 + 2 + 16].split([1, 2, 16], dim=2)
            gen = sample(ctx(lat_idx, torch.cat([start, post], dim=2), torch.cat([pre, post_idx], dim=1), c2x, idx2x, c4x, idx4x))
            if last:
                gen = torch.cat([start, gen], dim=2)
            total += gen.shape[2]
            history = torch.cat([gen, history], dim=2)
            real = history[:, :, :total]
            sections.append(real.clone())
            if decode:
                if pixels is None:
                    pixels = decode(real)
                else:
                    current = decode(real[:, :, :(2 * ws + 1) if last else 2 * ws])
                    pixels = soft_append(current, pixels, 4 * ws - 3)
            if last:
                break
        return n, paddings, sections, pixels

    history = torch.cat([torch.zeros((1, C, 16 + 2 + 1, h, w), dtype=torch.float32), start], dim=2)
    total = 1
    idx = torch.arange(0, 1 + 16 + 2 + 1 + ws).unsqueeze(0)
    start_idx, idx4x, idx2x, idx1x, lat_idx = idx.split([1, 16, 2, 1, ws], dim=1)
    for _ in range(n):
        c4x, c2x, c1x = history[:, :, -(16 + 2 + 1):].split([16, 2, 1], dim=2)
        gen = sample(ctx(lat_idx, torch.cat([start, c1x], dim=2), torch.cat([start_idx, idx1x], dim=1), c2x, idx2x, c4x, idx4x))
        total += gen.shape[2]
        history = torch.cat([history, gen], dim=2)
        real = history[:, :, -total:]
        sections.append(real.clone())
        if decode:
            if pixels is None:
                pixels = decode(real)
            else:
                pixels = soft_append(pixels, decode(real[:, :, -2 * ws:]), 4 * ws - 3)
    return n, None, sections, pixels


def new_frames(cfg, real, k, n):
    """The frames section k (generation order) produced, in the real history after it."""
    ws = cfg["windowSize"]
    if cfg["mode"] == "inverted":
        return real[:, :, 1:ws + 1] if k == n - 1 else real[:, :, :ws]
    return real[:, :, -ws:]


def main():
    d = sys.argv[1]
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    cfg = json.load(open(os.path.join(d, "config.json")))
    inputs = st.load(os.path.join(d, "inputs.safetensors"))
    ours = st.load(os.path.join(d, "ours.safetensors"))
    with torch.no_grad():
        n, paddings, sections, pixels = run_loop(cfg, inputs)
    report = {"sections": n, "paddings": paddings, "perSection": []}
    for k, ref in enumerate(sections):
        got = ours.get("history_%d" % k)
        if got is None:
            report["perSection"].append({"error": "our loop has no history after section %d" % k})
            continue
        if list(got.shape) != list(ref.shape):
            report["perSection"].append({"error": "history shape %s vs reference %s" % (list(got.shape), list(ref.shape))})
            continue
        diff = (got.float() - ref).abs()
        fresh = (new_frames(cfg, got.float(), k, n) - new_frames(cfg, ref, k, n)).abs()
        report["perSection"].append({"maxAbsErr": float(diff.max()), "meanAbsErr": float(diff.mean()),
                                     "newFramesMaxAbsErr": float(fresh.max()), "refMaxAbs": float(ref.abs().max()),
                                     "over1e3": float((diff > 1e-3).float().mean())})
    if pixels is not None:
        # save_bcthw_as_mp4's conversion: clamp, ·127.5 + 127.5, truncate to uint8; [T, H, W, 3].
        ref_u8 = (torch.clamp(pixels.float(), -1.0, 1.0) * 127.5 + 127.5).to(torch.uint8)[0].permute(1, 2, 3, 0)
        got = ours.get("pixels")
        if got is None or list(got.shape) != list(ref_u8.shape):
            report["pixels"] = {"error": "pixels %s vs reference %s" % (None if got is None else list(got.shape), list(ref_u8.shape))}
        else:
            levels = (got.int() - ref_u8.int()).abs()
            per_frame = levels.flatten(1).max(dim=1).values
            report["pixels"] = {"frames": int(ref_u8.shape[0]), "maxAbsLevels": int(levels.max()),
                                "meanAbsLevels": float(levels.float().mean()), "worstFrame": int(per_frame.argmax())}
    if os.environ.get("LOOP_REF_SENSITIVITY"):
        # Diagnostic: the reference against itself with every velocity perturbed by this relative amount.
        jitter = float(os.environ["LOOP_REF_SENSITIVITY"])
        with torch.no_grad():
            _, _, jittered, _ = run_loop(cfg, inputs, jitter)
        report["sensitivity"] = [{"jitter": jitter, "maxAbsErr": float((a - b).abs().max()), "meanAbsErr": float((a - b).abs().mean()),
                                  "over1e3": float(((a - b).abs() > 1e-3).float().mean())} for a, b in zip(sections, jittered)]
    print(json.dumps(report))


if __name__ == "__main__":
    main()
