"""A constructed start for the tiny FramePack transformer (the "identity" init of config.json's
transformer.init): every block is switched off and the model passes its noisy input straight
through, v = x_σ, so training starts from an exact noise pass-through instead of learning one.

Why: the flow-matching target ε − x0 needs the model to hand the noise back precisely. Started
from the seeded (random) weights, the tiny model (hidden 64) learnt the content but kept 13–28 % of
the noise wrong (scripts/train/probe_transformer.py's trajectory check), and samples stayed noise.
The construction, in the official architecture and parameter names:
- adaLN-Zero (as DiT): the modulation linears of every dual and single block are zero, so shift =
  scale = gate = 0 and each block adds nothing until training opens its gates (their gradients
  are not zero: ∂loss/∂gate = block output · ∂loss/∂x).
- x_embedder puts a token's patch (C·2·2 values) in hidden dims 0…P−1 and constants +K / −K in
  the others, so the final LayerNorm's per-token std is ≈ that of the constants, K·√((H−P)/H):
  LayerNorm becomes (nearly) linear, x ↦ (x − mean)/std.
- norm_out's scale undoes that std on dims 0…P−1; proj_out reads dims 0…P−1 and undoes the mean
  over the H dims (I − J/H)⁻¹ = I + J/(H − P).
The pass-through error is from the patch's own share of the std: ≈ |p|²/(2·(H−P)·K²) relative
(~1 % at K = 4, H = 64, P = 16 for unit noise); `python3 transformer_init.py CONFIG SEEDED` prints it."""
import math

import torch

K_CONSTANT = 4.0


def identity_init(W, cfg, k=K_CONSTANT):
    """W: official-name tensors (modified in place and returned), cfg: the transformer config."""
    hidden = cfg["numAttentionHeads"] * cfg["attentionHeadDim"]
    patch = cfg["inChannels"] * cfg["patchSizeT"] * cfg["patchSize"] ** 2
    if cfg["outChannels"] != cfg["inChannels"]:
        raise ValueError("identity init needs outChannels == inChannels")
    rest = hidden - patch
    if rest < 2 or rest % 2:
        raise ValueError("identity init needs an even number (≥ 2) of hidden dims beyond the %d patch values, got %d" % (patch, rest))
    with torch.no_grad():
        for name, v in W.items():
            if name.startswith(("transformer_blocks.", "single_transformer_blocks.")) and \
                    (".norm1.linear." in name or ".norm1_context.linear." in name or ".norm.linear." in name):
                v.zero_()
        w = W["x_embedder.proj.weight"]  # [H, C, pt, p, p]
        w.zero_()
        w.view(hidden, patch)[:patch] = torch.eye(patch)
        b = W["x_embedder.proj.bias"]
        b.zero_()
        b[patch:patch + rest // 2] = k
        b[patch + rest // 2:] = -k
        # The LayerNorm's per-token variance at unit-variance noise: (patch + rest·K²)/H.
        std = math.sqrt((patch + rest * k * k) / hidden)
        W["norm_out.linear.weight"].zero_()
        nb = W["norm_out.linear.bias"]  # [scale (H), shift (H)]
        nb.zero_()
        nb[:patch] = std - 1.0
        nb[patch:hidden] = -1.0  # (1 + scale) = 0: the constants do not reach proj_out
        po = W["proj_out.weight"]  # [patch, H]
        po.zero_()
        po[:, :patch] = torch.eye(patch) + torch.ones(patch, patch) / (hidden - patch)
        W["proj_out.bias"].zero_()
    return W


def check(config_path, seeded_path, construct=True):
    """The constructed model returns its noisy input (v = x_σ) for random context, text and
    timestep; construct=False measures the seeded weights as they are, for comparison."""
    import common
    import sections
    import st
    import transformer_ref

    cfg = common.load_config(config_path)
    tc = common.component_config(cfg, "transformer")
    W = {k: v.float().clone() for k, v in st.load(seeded_path).items()}
    if construct:
        identity_init(W, tc)
    g = torch.Generator().manual_seed(3)
    rnd = lambda *s: torch.randn(*s, generator=g)
    idx = lambda v: torch.tensor([v])
    C, h, w = tc["inChannels"], cfg["data"]["height"] // 8, cfg["data"]["width"] // 8
    sec = sections.inverted_section(3, 1, cfg["data"]["latentWindowSize"])
    xt = rnd(1, C, len(sec["window"]), h, w)
    inputs = {
        "hidden_states": xt, "latent_indices": idx(sec["idx_latent"]),
        "clean_latents": rnd(1, C, 2, h, w), "clean_latent_indices": idx(sec["idx_clean"]),
        "clean_latents_2x": rnd(1, C, 2, h, w), "clean_latent_2x_indices": idx(sec["idx_clean2x"]),
        "clean_latents_4x": rnd(1, C, 16, h, w), "clean_latent_4x_indices": idx(sec["idx_clean4x"]),
        "timestep": torch.tensor([700.0]), "guidance": torch.tensor([10000.0]),
        "encoder_hidden_states": rnd(1, 9, tc["textEmbedDim"]), "encoder_attention_mask": torch.ones(1, 9, dtype=torch.bool),
        "pooled_projections": rnd(1, tc["pooledProjectionDim"]), "image_embeddings": rnd(1, 16, tc["imageProjDim"]),
    }
    with torch.no_grad():
        v = transformer_ref.forward(tc, W, inputs)
    return {"relErr": float((v - xt).norm() / xt.norm()), "maxAbsErr": float((v - xt).abs().max())}


if __name__ == "__main__":
    # python3 transformer_init.py CONFIG SEEDED_TRANSFORMER.safetensors [--as-seeded]
    import json
    import sys
    print(json.dumps(check(sys.argv[1], sys.argv[2], construct="--as-seeded" not in sys.argv[3:])))
