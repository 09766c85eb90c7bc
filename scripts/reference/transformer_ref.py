"""Independent PyTorch reference of FramePack's packed transformer forward
(HunyuanVideoTransformer3DModelPacked, batch 1) with the official parameter names, written from the
architecture description (FRAMEPACK.md section 5). It takes the official forward arguments, including
the zero-padded text with its attention mask (the refiner runs masked, then the text side is cropped
as the official batch-1 path does), computes its own RoPE tables, and returns the velocity.

reference(config, weights, inputs) -> {"velocity": tensor}"""
import math

import torch
import torch.nn.functional as F


def _lin(W, name, x):
    return F.linear(x, W[name + ".weight"], W.get(name + ".bias"))


def _mlp_embed(W, name, x):
    # TimestepEmbedding / PixArtAlphaTextProjection with SiLU
    return _lin(W, name + ".linear_2", F.silu(_lin(W, name + ".linear_1", x)))


def _time_proj(t, channels=256):
    # diffusers Timesteps(256, flip_sin_to_cos=True, downscale_freq_shift=0)
    half = channels // 2
    exponent = -math.log(10000) * torch.arange(0, half, dtype=torch.float32) / half
    # The frequencies are the correctly rounded float32 values of exp(exponent). torch's float32 exp
    # is off by an ulp for some entries (and differs between CPU and CUDA); at guidance 9984 one ulp
    # moves the angle by ~6e-4 rad, which would swamp the comparison, so both sides round exactly.
    freqs = torch.exp(exponent.double()).float()
    emb = t[:, None].float() * freqs[None, :]
    return torch.cat([torch.cos(emb), torch.sin(emb)], dim=-1)


def _rms(W, name, x, eps=1e-6):
    var = x.float().pow(2).mean(-1, keepdim=True)
    return (x.float() * torch.rsqrt(var + eps)).to(x.dtype) * W[name + ".weight"]


def _ln(x, W=None, name=None, eps=1e-6):
    w = W[name + ".weight"] if name else None
    b = W[name + ".bias"] if name else None
    return F.layer_norm(x, (x.shape[-1],), w, b, eps)


def _attention(q, k, v, mask=None):
    # q, k, v: [B, S, H, D]
    # (torch 1.13 has no public scaled_dot_product_attention); mask: bool, True = attend
    q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return (scores.softmax(-1) @ v).transpose(1, 2).flatten(2)


def _heads(x, heads):
    return x.unflatten(2, (heads, -1))


# ---- RoPE -----------------------------------------------------------------------------------------

def _rope_table(frames, height, width, axes, theta):
    """Channel-first [2*D, T, H, W] table: cos_t, cos_y, cos_x, sin_t, sin_y, sin_x."""
    gt, gy, gx = torch.meshgrid(frames.float(), torch.arange(height, dtype=torch.float32),
                                torch.arange(width, dtype=torch.float32), indexing="ij")
    coss, sins = [], []
    for dim, pos in zip(axes, (gt, gy, gx)):
        inv = 1.0 / (theta ** (torch.arange(0, dim, 2, dtype=torch.float32) / dim))
        ang = inv[:, None, None, None] * pos[None]
        ang = ang.repeat_interleave(2, dim=0)
        coss.append(ang.cos())
        sins.append(ang.sin())
    return torch.cat(coss + sins, dim=0)


def _pad_replicate(x, k):
    # x [B, C, T, H, W]; pad at the end of T, H, W to multiples of k
    t, h, w = x.shape[-3:]
    pads = [(kk - (n % kk)) % kk for n, kk in zip((t, h, w), k)]
    return F.pad(x, (0, pads[2], 0, pads[1], 0, pads[0]), mode="replicate")


def _tokens(x):
    # [B, C, T, H, W] -> [B, T*H*W, C]
    return x.flatten(2).transpose(1, 2)


def _rotate(x, table):
    # x [B, S, H, D]; table [B, S, 2D]
    cos, sin = table.unsqueeze(-2).chunk(2, dim=-1)
    pairs = x.unflatten(-1, (-1, 2))
    rot = torch.stack([-pairs[..., 1], pairs[..., 0]], dim=-1).flatten(-2)
    return (x.float() * cos + rot.float() * sin).to(x.dtype)


# ---- blocks ---------------------------------------------------------------------------------------

def _refiner(W, cfg, x, t_proj, mask):
    heads = cfg["numAttentionHeads"]
    maskf = mask.float().unsqueeze(-1)
    pooled = (x * maskf).sum(1) / maskf.sum(1)
    temb = _mlp_embed(W, "context_embedder.time_text_embed.timestep_embedder", t_proj) + \
        _mlp_embed(W, "context_embedder.time_text_embed.text_embedder", pooled)
    h = _lin(W, "context_embedder.proj_in", x)
    n = mask.shape[1]
    m = mask.bool().view(1, 1, 1, n).repeat(1, 1, n, 1)
    m = m & m.transpose(2, 3)
    m[:, :, :, 0] = True
    for i in range(cfg["numRefinerLayers"]):
        p = "context_embedder.token_refiner.refiner_blocks.%d" % i
        nx = _ln(h, W, p + ".norm1")
        q = _heads(_lin(W, p + ".attn.to_q", nx), heads)
        k = _heads(_lin(W, p + ".attn.to_k", nx), heads)
        v = _heads(_lin(W, p + ".attn.to_v", nx), heads)
        a = _lin(W, p + ".attn.to_out.0", _attention(q, k, v, m))
        g_msa, g_mlp = _lin(W, p + ".norm_out.linear", F.silu(temb)).unsqueeze(1).chunk(2, dim=-1)
        h = h + a * g_msa
        ff = _lin(W, p + ".ff.net.2", F.silu(_lin(W, p + ".ff.net.0.proj", _ln(h, W, p + ".norm2"))))
        h = h + ff * g_mlp
    return h


def _ff(W, p, x):
    return _lin(W, p + ".net.2", F.gelu(_lin(W, p + ".net.0.proj", x), approximate="tanh"))


def _dual(W, cfg, i, x, c, temb, rope):
    heads = cfg["numAttentionHeads"]
    p = "transformer_blocks.%d" % i
    e = _lin(W, p + ".norm1.linear", F.silu(temb)).unsqueeze(1)
    sh, sc, g1, sh2, sc2, g2 = e.chunk(6, dim=-1)
    ec = _lin(W, p + ".norm1_context.linear", F.silu(temb)).unsqueeze(1)
    csh, csc, cg1, csh2, csc2, cg2 = ec.chunk(6, dim=-1)
    nx = _ln(x) * (1 + sc) + sh
    nc = _ln(c) * (1 + csc) + csh
    q = _rotate(_rms(W, p + ".attn.norm_q", _heads(_lin(W, p + ".attn.to_q", nx), heads)), rope)
    k = _rotate(_rms(W, p + ".attn.norm_k", _heads(_lin(W, p + ".attn.to_k", nx), heads)), rope)
    v = _heads(_lin(W, p + ".attn.to_v", nx), heads)
    cq = _rms(W, p + ".attn.norm_added_q", _heads(_lin(W, p + ".attn.add_q_proj", nc), heads))
    ck = _rms(W, p + ".attn.norm_added_k", _heads(_lin(W, p + ".attn.add_k_proj", nc), heads))
    cv = _heads(_lin(W, p + ".attn.add_v_proj", nc), heads)
    a = _attention(torch.cat([q, cq], 1), torch.cat([k, ck], 1), torch.cat([v, cv], 1))
    n_img = x.shape[1]
    x = x + _lin(W, p + ".attn.to_out.0", a[:, :n_img]) * g1
    c = c + _lin(W, p + ".attn.to_add_out", a[:, n_img:]) * cg1
    x = x + g2 * _ff(W, p + ".ff", _ln(x) * (1 + sc2) + sh2)
    c = c + cg2 * _ff(W, p + ".ff_context", _ln(c) * (1 + csc2) + csh2)
    return x, c


def _single(W, cfg, i, x, c, temb, rope):
    heads = cfg["numAttentionHeads"]
    p = "single_transformer_blocks.%d" % i
    n_txt = c.shape[1]
    h = torch.cat([x, c], 1)
    sh, sc, g = _lin(W, p + ".norm.linear", F.silu(temb)).unsqueeze(1).chunk(3, dim=-1)
    nh = _ln(h) * (1 + sc) + sh
    mlp = F.gelu(_lin(W, p + ".proj_mlp", nh), approximate="tanh")
    q = _rms(W, p + ".attn.norm_q", _heads(_lin(W, p + ".attn.to_q", nh), heads))
    k = _rms(W, p + ".attn.norm_k", _heads(_lin(W, p + ".attn.to_k", nh), heads))
    v = _heads(_lin(W, p + ".attn.to_v", nh), heads)
    q = torch.cat([_rotate(q[:, :-n_txt], rope), q[:, -n_txt:]], 1)
    k = torch.cat([_rotate(k[:, :-n_txt], rope), k[:, -n_txt:]], 1)
    a = _attention(q, k, v)
    h = h + g * _lin(W, p + ".proj_out", torch.cat([a, mlp], 2))
    return h[:, :-n_txt], h[:, -n_txt:]


# ---- forward --------------------------------------------------------------------------------------

def forward(cfg, W, I):
    axes, theta = cfg["ropeAxesDim"], float(cfg["ropeTheta"])
    p, pt = cfg["patchSize"], cfg["patchSizeT"]
    lat = I["hidden_states"].float()
    _, _, T, H, Wd = lat.shape
    gh, gw = H // p, Wd // p

    x = _tokens(F.conv3d(lat, W["x_embedder.proj.weight"], W["x_embedder.proj.bias"], stride=(pt, p, p)))
    rope = _tokens(_rope_table(I["latent_indices"][0], gh, gw, axes, theta)[None])

    clean = F.conv3d(I["clean_latents"].float(), W["clean_x_embedder.proj.weight"], W["clean_x_embedder.proj.bias"], stride=(1, 2, 2))
    x = torch.cat([_tokens(clean), x], 1)
    rope = torch.cat([_tokens(_rope_table(I["clean_latent_indices"][0], gh, gw, axes, theta)[None]), rope], 1)

    for key, idx, proj, k in (("clean_latents_2x", "clean_latent_2x_indices", "proj_2x", 2),
                              ("clean_latents_4x", "clean_latent_4x_indices", "proj_4x", 4)):
        kern = (k, 2 * k, 2 * k)
        lv = _pad_replicate(I[key].float(), kern)
        tok = _tokens(F.conv3d(lv, W["clean_x_embedder.%s.weight" % proj], W["clean_x_embedder.%s.bias" % proj], stride=kern))
        table = _rope_table(I[idx][0], gh, gw, axes, theta)[None]
        table = F.avg_pool3d(_pad_replicate(table, (k, k, k)), (k, k, k), stride=(k, k, k))
        x = torch.cat([tok, x], 1)
        rope = torch.cat([_tokens(table), rope], 1)

    t_proj = _time_proj(I["timestep"])
    temb = _mlp_embed(W, "time_text_embed.timestep_embedder", t_proj)
    if cfg["guidanceEmbeds"]:
        temb = temb + _mlp_embed(W, "time_text_embed.guidance_embedder", _time_proj(I["guidance"]))
    temb = temb + _mlp_embed(W, "time_text_embed.text_embedder", I["pooled_projections"].float())

    mask = I["encoder_attention_mask"].bool()
    txt = _refiner(W, cfg, I["encoder_hidden_states"].float(), t_proj, mask)
    img = _lin(W, "image_projection.down", F.silu(_lin(W, "image_projection.up", I["image_embeddings"].float())))
    c = torch.cat([img, txt], 1)
    full_mask = torch.cat([torch.ones(1, img.shape[1], dtype=torch.bool), mask], 1)
    c = c[:, :int(full_mask.sum())]  # batch 1: crop to the valid prefix, no mask

    for i in range(cfg["numLayers"]):
        x, c = _dual(W, cfg, i, x, c, temb, rope)
    for i in range(cfg["numSingleLayers"]):
        x, c = _single(W, cfg, i, x, c, temb, rope)

    scale, shift = _lin(W, "norm_out.linear", F.silu(temb)).unsqueeze(1).chunk(2, dim=-1)
    x = _ln(x) * (1 + scale) + shift
    tp, hp, wp = T // pt, gh, gw
    x = _lin(W, "proj_out", x[:, -tp * hp * wp:])
    c_out = cfg["outChannels"]
    x = x.view(1, tp, hp, wp, c_out, pt, p, p).permute(0, 4, 1, 5, 2, 6, 3, 7)
    return x.reshape(1, c_out, tp * pt, hp * p, wp * p)


def reference(config, weights, inputs):
    W = {k: v.float() for k, v in weights.items()}
    return {"velocity": forward(config, W, inputs)}
