"""Independent PyTorch reference for the Llama text encoder (transformers' LlamaModel semantics):
runs every decoder layer like `output_hidden_states=True` and returns hidden_states[-3].

config keys (camelCase, as daemon/models/text/llama-config.ts): hiddenSize, numLayers, numHeads,
numKvHeads, headDim, intermediateSize, vocabSize, ropeTheta, rmsNormEps.
inputs: input_ids int64 [1, L].  returns: {"hidden_states": [1, L, hidden]}."""
import math

import torch
import torch.nn.functional as F


def rms_norm(x, weight, eps):
    # LlamaRMSNorm: statistics in float32, scale applied after casting back.
    x32 = x.to(torch.float32)
    normed = x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + eps)
    return weight * normed.to(x.dtype)


def rope_cos_sin(seq_len, head_dim, theta):
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.int64).float() / head_dim))
    angles = torch.outer(torch.arange(seq_len, dtype=torch.float32), inv_freq)
    emb = torch.cat((angles, angles), dim=-1)
    return emb.cos(), emb.sin()


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def self_attention(x, w, p, cfg, cos, sin):
    bsz, seq, _ = x.shape
    nh, nkv, hd = cfg["numHeads"], cfg["numKvHeads"], cfg["headDim"]
    q = F.linear(x, w[p + "q_proj.weight"]).view(bsz, seq, nh, hd).transpose(1, 2)
    k = F.linear(x, w[p + "k_proj.weight"]).view(bsz, seq, nkv, hd).transpose(1, 2)
    v = F.linear(x, w[p + "v_proj.weight"]).view(bsz, seq, nkv, hd).transpose(1, 2)
    q = q * cos + rotate_half(q) * sin
    k = k * cos + rotate_half(k) * sin
    # Grouped-query attention: query head h reads key/value head h // (nh / nkv).
    k = k.repeat_interleave(nh // nkv, dim=1)
    v = v.repeat_interleave(nh // nkv, dim=1)
    scores = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(hd)
    future = torch.ones(seq, seq, dtype=torch.bool).triu(1)
    scores = scores.masked_fill(future, float("-inf"))
    probs = torch.softmax(scores.float(), dim=-1).to(q.dtype)
    out = torch.matmul(probs, v).transpose(1, 2).reshape(bsz, seq, nh * hd)
    return F.linear(out, w[p + "o_proj.weight"])


def decoder_layer(h, w, p, cfg, cos, sin):
    eps = cfg["rmsNormEps"]
    h = h + self_attention(rms_norm(h, w[p + "input_layernorm.weight"], eps), w, p + "self_attn.", cfg, cos, sin)
    x = rms_norm(h, w[p + "post_attention_layernorm.weight"], eps)
    gated = F.silu(F.linear(x, w[p + "mlp.gate_proj.weight"])) * F.linear(x, w[p + "mlp.up_proj.weight"])
    return h + F.linear(gated, w[p + "mlp.down_proj.weight"])


def reference(config, weights, inputs):
    ids = inputs["input_ids"].long()
    w = {k: v.float() for k, v in weights.items()}
    h = F.embedding(ids, w["embed_tokens.weight"])
    cos, sin = rope_cos_sin(ids.shape[1], config["headDim"], config["ropeTheta"])
    hidden_states = [h]
    for i in range(config["numLayers"]):
        h = decoder_layer(h, w, "layers.%d." % i, config, cos, sin)
        hidden_states.append(h)
    # As transformers: the last entry is replaced by the final-normed output.
    hidden_states[-1] = rms_norm(h, w["norm.weight"], config["rmsNormEps"])
    return {"hidden_states": hidden_states[-3]}
