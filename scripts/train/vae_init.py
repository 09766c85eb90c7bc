"""A starting point for the tiny VAE that already reconstructs: the official architecture with its
weights set so the encoder is an exact block average (8x8 pixels, and 1 then 4 frames, the causal
VAE's grouping) of the RGB into latent channels 0-2 and the decoder is nearest-neighbour upsampling
back. Every residual branch (resnet conv2, attention to_out) starts at zero, so those blocks start
as identities and training adds detail to a model whose colours and positions are right from step
0. The unused latent channels and the residual branches get gradients (conv1, q/k/v and the extra
channels keep small random weights), so nothing is frozen.

Why: trained from PyTorch's default init, this 16/32-channel VAE learned colours very slowly (after
550 steps it still painted every clip pink; see docs/training.md). The only non-linear step on the
main path of encoder and decoder is conv_norm_out (GroupNorm, then SiLU); the init keeps it linear:
with one group, channels (rgb, -rgb, +K, -K) have a mean of exactly 0 at every pixel and a variance
set by K, and SiLU(u) - SiLU(-u) = u undoes the SiLU exactly. Needs normNumGroups = 1.
"""
import torch
import torch.nn as nn

import common  # noqa: F401  (puts scripts/reference on the path)
import vae_ref

K = 10.0  # constant channels: make GroupNorm's std (almost) independent of the picture (1.5 % at most)
GAMMA = 1.0  # GroupNorm scale of the signal channels (the SiLU trick is exact at any scale)
EXTRA_STD = 1e-2  # small random weights for unused channels, so they get gradients


def _zero(m):
    nn.init.zeros_(m.weight)
    if m.bias is not None:
        nn.init.zeros_(m.bias)


def _centre_copy(conv, pairs, scale=1.0):
    """conv: Conv3d with a 3x3x3 (causal: tap 2 in time is the current frame) or 1x1x1 kernel."""
    k = conv.weight.shape[2:]
    ct, cy, cx = k[0] - 1, k[1] // 2, k[2] // 2
    for o, i in pairs:
        conv.weight.data[o, i, ct, cy, cx] = scale


def init_block_average(vae, cfg):
    if cfg["normNumGroups"] != 1:
        raise ValueError("vae_init: the block-average init needs normNumGroups = 1 (config.json components.vae)")
    enc, dec = vae.encoder, vae.decoder
    L = cfg["latentChannels"]
    # Residual branches start as identities.
    for mod in vae.modules():
        if isinstance(mod, vae_ref.Resnet):
            _zero(mod.conv2.conv)
            if mod.conv_shortcut is not None:
                _zero(mod.conv_shortcut.conv)
                cin = mod.conv_shortcut.conv.weight.shape[1]
                cout = mod.conv_shortcut.conv.weight.shape[0]
                _centre_copy(mod.conv_shortcut.conv, [(c, c) for c in range(min(cin, cout))])
        if isinstance(mod, vae_ref.Attention):
            _zero(mod.to_out[0])

    # Encoder: rgb in, (rgb, +K, -K, -rgb) out of conv_in.
    _zero(enc.conv_in.conv)
    for c in range(3):
        enc.conv_in.conv.weight.data[c, c, 2, 1, 1] = 1.0
        enc.conv_in.conv.weight.data[5 + c, c, 2, 1, 1] = -1.0
    enc.conv_in.conv.bias.data[3], enc.conv_in.conv.bias.data[4] = K, -K
    for blk in enc.down_blocks:
        if hasattr(blk, "downsamplers"):
            conv = blk.downsamplers[0].conv.conv
            _zero(conv)
            st, sy, sx = conv.stride
            # Output i covers padded inputs 2i..2i+2 = original 2i-1..2i+1: average taps 1 and 2
            # (original 2i, 2i+1) in space; in time taps 1 and 2 (frames 2j-1, 2j; the causal
            # front padding repeats frame 0), or only tap 2 without a temporal stride.
            ts = [1, 2] if st == 2 else [2]
            ys = [1, 2] if sy == 2 else [1]
            xs = [1, 2] if sx == 2 else [1]
            w = 1.0 / (len(ts) * len(ys) * len(xs))
            for c in range(8):
                for t in ts:
                    for y in ys:
                        for x in xs:
                            conv.weight.data[c, c, t, y, x] = w
    _linear_norm_out(enc.conv_norm_out, enc.conv_out.conv, out_pairs=[(c, c) for c in range(3)])
    nn.init.normal_(enc.conv_out.conv.weight[3:L], std=EXTRA_STD)  # unused latent means: tiny random
    enc.conv_out.conv.bias.data[L:] = -10.0  # logvar: a near-deterministic posterior
    _zero(vae.quant_conv)
    _centre_copy(vae.quant_conv, [(c, c) for c in range(2 * L)])

    # Decoder: latent rgb in channels 0-2 -> (rgb, +K, -K, -rgb).
    _zero(vae.post_quant_conv)
    _centre_copy(vae.post_quant_conv, [(c, c) for c in range(L)])
    w = dec.conv_in.conv.weight
    nn.init.normal_(w, std=EXTRA_STD)  # the unused latent channels feed in a little
    w.data[:, :3] = 0.0
    w.data[:8] = 0.0
    for c in range(3):
        w.data[c, c, 2, 1, 1] = 1.0
        w.data[5 + c, c, 2, 1, 1] = -1.0
    dec.conv_in.conv.bias.data.zero_()
    dec.conv_in.conv.bias.data[3], dec.conv_in.conv.bias.data[4] = K, -K
    for blk in dec.up_blocks:
        if hasattr(blk, "upsamplers"):
            # After nearest-neighbour x2, taps [1/4, 1/2, 1/4] per axis give exactly bilinear
            # upsampling (2i: 3/4 L_i + 1/4 L_i-1; 2i+1: 3/4 L_i + 1/4 L_i+1). Time stays nearest:
            # the causal conv cannot look ahead.
            conv = blk.upsamplers[0].conv.conv
            _zero(conv)
            taps = (0.25, 0.5, 0.25)
            for c in range(8):
                for y in range(3):
                    for x in range(3):
                        conv.weight.data[c, c, 2, y, x] = taps[y] * taps[x]
    _linear_norm_out(dec.conv_norm_out, dec.conv_out.conv, out_pairs=[(c, c) for c in range(3)])


def _linear_norm_out(norm, conv_out, out_pairs):
    """GroupNorm(1) over (rgb, +K, -K, -rgb, 0...) has mean 0 at every position and std
    sigma = sqrt((2K^2 + 2|rgb|^2) / C) ~ K sqrt(2/C); with scale GAMMA the SiLU inputs are
    u = +-GAMMA rgb / sigma, and conv_out takes (sigma / GAMMA) (SiLU(u) - SiLU(-u)) = rgb."""
    c = norm.weight.shape[0]
    sigma = K * (2.0 / c) ** 0.5
    nn.init.constant_(norm.weight, GAMMA)
    nn.init.zeros_(norm.bias)
    _zero(conv_out)
    for o, i in out_pairs:
        conv_out.weight.data[o, i, 2, 1, 1] = sigma / GAMMA
        conv_out.weight.data[o, 5 + i, 2, 1, 1] = -sigma / GAMMA


def check(latent_channels=16):
    """Compares the initialised VAE with the operations it should equal, computed independently:
    encoder = mean over 8x8 pixels and frame groups [0], [1-4], [5-8]; decoder = three bilinear x2
    upsamplings (torch's align_corners=False) of that, repeated over each group's frames. Prints JSON."""
    import json
    import torch.nn.functional as F
    torch.manual_seed(0)
    cfg = {"inChannels": 3, "outChannels": 3, "latentChannels": latent_channels, "blockOutChannels": [16, 32, 32, 32], "layersPerBlock": 1,
           "normNumGroups": 1, "scalingFactor": 1.0, "spatialCompressionRatio": 8, "temporalCompressionRatio": 4, "midBlockAddAttention": True}
    vae = vae_ref.VAE(cfg)
    init_block_average(vae, cfg)
    # Full-range colours (a random colour per 4x4 patch and frame) plus fine noise, so the pooled
    # values span [-1, 1] and the (picture-dependent, <= 1.5 %) GroupNorm scale error shows.
    x = torch.rand(1, 3, 9, 16, 24).repeat_interleave(4, dim=3).repeat_interleave(4, dim=4) * 1.8 - 0.9
    x = x + (torch.rand(1, 3, 9, 64, 96) - 0.5) * 0.2
    with torch.no_grad():
        mean, logvar = vae.encode(x)
        recon = vae.decode(mean)
    groups = [x[:, :, :1], x[:, :, 1:5], x[:, :, 5:9]]
    pooled = torch.stack([F.avg_pool2d(g.mean(dim=2), 8) for g in groups], dim=2)  # [1, 3, 3, 8, 12]
    up = pooled.permute(0, 2, 1, 3, 4).reshape(3, 3, 8, 12)
    for _ in range(3):
        up = F.interpolate(up, scale_factor=2, mode="bilinear", align_corners=False)
    up = up.reshape(1, 3, 3, 64, 96).permute(0, 2, 1, 3, 4)
    expected = torch.cat([up[:, :, :1], up[:, :, 1:2].repeat(1, 1, 4, 1, 1), up[:, :, 2:3].repeat(1, 1, 4, 1, 1)], dim=2)
    print(json.dumps({
        "latentShape": list(mean.shape), "encoderMaxAbsError": float((mean[:, :3] - pooled).abs().max()),
        "unusedLatentMaxAbs": float(mean[:, 3:].abs().max()), "logvarMean": float(logvar.mean()),
        "decoderMaxAbsError": float((recon - expected).abs().max()),
    }))


if __name__ == "__main__":
    import sys
    check(int(sys.argv[1]) if len(sys.argv) > 1 else 16)  # python3 vae_init.py [LATENT_CHANNELS]
