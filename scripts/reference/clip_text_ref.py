"""Independent PyTorch reference for the CLIP text encoder (transformers' CLIPTextModel semantics,
legacy pooling): returns pooler_output = final-LayerNorm hidden state at argmax(input_ids).

The pooling position is recomputed here from the ids (transformers' rule for eos_token_id == 2), not
read from the graph's `eos_index` input, so the cross-check also proves the TS-side index.
config keys as daemon/models/text/clip-text-config.ts. returns: {"pooled": [1, hidden]}."""
import torch
import torch.nn.functional as F


def activation(x, name):
    if name == "quick_gelu":
        return x * torch.sigmoid(1.702 * x)
    return F.gelu(x)


def encoder_layer(h, w, p, cfg, mask):
    hid, nh, eps = cfg["hiddenSize"], cfg["numHeads"], cfg["layerNormEps"]
    hd = hid // nh
    bsz, seq, _ = h.shape
    x = F.layer_norm(h, (hid,), w[p + "layer_norm1.weight"], w[p + "layer_norm1.bias"], eps)

    def heads(name):
        return F.linear(x, w[p + "self_attn.%s.weight" % name], w[p + "self_attn.%s.bias" % name]).view(bsz, seq, nh, hd).transpose(1, 2)

    q = heads("q_proj") * hd ** -0.5
    scores = q @ heads("k_proj").transpose(-1, -2) + mask
    out = (torch.softmax(scores, dim=-1) @ heads("v_proj")).transpose(1, 2).reshape(bsz, seq, hid)
    h = h + F.linear(out, w[p + "self_attn.out_proj.weight"], w[p + "self_attn.out_proj.bias"])
    x = F.layer_norm(h, (hid,), w[p + "layer_norm2.weight"], w[p + "layer_norm2.bias"], eps)
    x = activation(F.linear(x, w[p + "mlp.fc1.weight"], w[p + "mlp.fc1.bias"]), cfg["hiddenAct"])
    return h + F.linear(x, w[p + "mlp.fc2.weight"], w[p + "mlp.fc2.bias"])


def reference(config, weights, inputs):
    ids = inputs["input_ids"].long()
    w = {k: v.float() for k, v in weights.items()}
    seq = ids.shape[1]
    h = F.embedding(ids, w["text_model.embeddings.token_embedding.weight"])
    h = h + F.embedding(torch.arange(seq).unsqueeze(0), w["text_model.embeddings.position_embedding.weight"])
    mask = torch.full((seq, seq), torch.finfo(torch.float32).min).triu(1)
    for i in range(config["numLayers"]):
        h = encoder_layer(h, w, "text_model.encoder.layers.%d." % i, config, mask)
    last = F.layer_norm(h, (config["hiddenSize"],), w["text_model.final_layer_norm.weight"],
                        w["text_model.final_layer_norm.bias"], config["layerNormEps"])
    pooled = last[torch.arange(ids.shape[0]), ids.argmax(dim=-1)]
    return {"pooled": pooled}
