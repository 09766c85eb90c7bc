"""Independent PyTorch reference for the SigLIP vision tower (transformers' SiglipVisionModel
semantics, without the pooling head): returns last_hidden_state after post_layernorm.

config keys as daemon/models/image/siglip-config.ts. inputs: pixel_values float32 [1, C, S, S].
returns: {"last_hidden_state": [1, floor(S/p)^2, hidden]}."""
import torch
import torch.nn.functional as F


def encoder_layer(h, w, p, cfg):
    hid, nh, eps = cfg["hiddenSize"], cfg["numHeads"], cfg["layerNormEps"]
    hd = hid // nh
    bsz, seq, _ = h.shape

    def lin(x, name):
        return F.linear(x, w[p + name + ".weight"], w[p + name + ".bias"])

    x = F.layer_norm(h, (hid,), w[p + "layer_norm1.weight"], w[p + "layer_norm1.bias"], eps)
    q, k, v = (lin(x, "self_attn." + n).view(bsz, seq, nh, hd).transpose(1, 2) for n in ("q_proj", "k_proj", "v_proj"))
    probs = torch.softmax((q @ k.transpose(-1, -2)) * hd ** -0.5, dim=-1, dtype=torch.float32)
    out = (probs @ v).transpose(1, 2).reshape(bsz, seq, hid)
    h = h + lin(out, "self_attn.out_proj")
    x = F.layer_norm(h, (hid,), w[p + "layer_norm2.weight"], w[p + "layer_norm2.bias"], eps)
    approx = "tanh" if cfg["hiddenAct"] == "gelu_pytorch_tanh" else "none"
    return h + lin(F.gelu(lin(x, "mlp.fc1"), approximate=approx), "mlp.fc2")


def reference(config, weights, inputs):
    w = {k: v.float() for k, v in weights.items()}
    px = inputs["pixel_values"].float()
    patch = config["patchSize"]
    emb = F.conv2d(px, w["vision_model.embeddings.patch_embedding.weight"], w["vision_model.embeddings.patch_embedding.bias"], stride=patch)
    h = emb.flatten(2).transpose(1, 2)
    positions = torch.arange(h.shape[1])
    h = h + F.embedding(positions, w["vision_model.embeddings.position_embedding.weight"])
    for i in range(config["numLayers"]):
        h = encoder_layer(h, w, "vision_model.encoder.layers.%d." % i, config)
    h = F.layer_norm(h, (config["hiddenSize"],), w["vision_model.post_layernorm.weight"],
                     w["vision_model.post_layernorm.bias"], config["layerNormEps"])
    return {"last_hidden_state": h}
