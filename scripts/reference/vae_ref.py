"""Independent PyTorch reference of HunyuanVideo's causal 3D VAE (AutoencoderKLHunyuanVideo),
written from the architecture description (FRAMEPACK.md section 4 and the diffusers module layout)
with plain torch.nn modules whose attribute paths give the official checkpoint names, loaded with
strict=True so a naming mismatch fails loudly.

reference(config, weights, inputs) with config["mode"]:
  "encode"       inputs["pixels"]  -> {"mean", "logvar"}   (quant_conv output split in two, logvar clamped)
  "decode"       inputs["latents"] -> {"pixels"}           (post_quant_conv + decoder, one pass)
  "tiled_decode" inputs["latents"] -> {"pixels"}           (the official temporal tiled decode)
  "spatial_tiled_decode" inputs["latents"] -> {"pixels"}   (temporal tiling with diffusers' tiled_decode
                                                            inside each temporal tile: enable_tiling())
  "spatial_tiled_encode" inputs["pixels"] -> {"mean"}      (diffusers' tiled_encode, mean of the result)
The spatial modes take config["tiling"] = {tileSampleMinHeight, tileSampleMinWidth,
tileSampleStrideHeight, tileSampleStrideWidth} in pixels (diffusers' enable_tiling arguments).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

EPS = 1e-6


class CausalConv3d(nn.Module):
    """Replicate-pads k-1 frames before the clip (none after) and k//2 pixels on each side, then Conv3d."""

    def __init__(self, cin, cout, k=3, stride=(1, 1, 1)):
        super().__init__()
        self.k = k
        self.conv = nn.Conv3d(cin, cout, k, stride=stride, padding=0)

    def forward(self, x):
        if self.k > 1:
            s = self.k // 2
            # F.pad order: (W left, W right, H top, H bottom, T front, T back)
            x = F.pad(x, (s, s, s, s, self.k - 1, 0), mode="replicate")
        return self.conv(x)


class Resnet(nn.Module):
    def __init__(self, cin, cout, groups):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin, eps=EPS)
        self.conv1 = CausalConv3d(cin, cout)
        self.norm2 = nn.GroupNorm(groups, cout, eps=EPS)
        self.conv2 = CausalConv3d(cout, cout)
        self.conv_shortcut = CausalConv3d(cin, cout, k=1) if cin != cout else None

    def forward(self, x):
        h = self.conv1(F.silu(self.norm1(x)))
        h = self.conv2(F.silu(self.norm2(h)))
        return h + (self.conv_shortcut(x) if self.conv_shortcut is not None else x)


class Attention(nn.Module):
    """Single-head self-attention over all (t, h, w) tokens; a token sees its own and earlier frames."""

    def __init__(self, c, groups):
        super().__init__()
        self.group_norm = nn.GroupNorm(groups, c, eps=EPS)
        self.to_q = nn.Linear(c, c)
        self.to_k = nn.Linear(c, c)
        self.to_v = nn.Linear(c, c)
        self.to_out = nn.ModuleList([nn.Linear(c, c), nn.Dropout(0.0)])

    def forward(self, x):
        b, c, t, h, w = x.shape
        seq = self.group_norm(x).permute(0, 2, 3, 4, 1).reshape(b, t * h * w, c)
        q, k, v = self.to_q(seq), self.to_k(seq), self.to_v(seq)
        frame = torch.arange(t).repeat_interleave(h * w)
        allowed = frame[None, :] <= frame[:, None]  # [query, key]
        scores = (q @ k.transpose(1, 2)) / math.sqrt(c)
        scores = scores.masked_fill(~allowed, float("-inf"))
        out = self.to_out[0](scores.softmax(dim=-1) @ v)
        return x + out.reshape(b, t, h, w, c).permute(0, 4, 1, 2, 3)


class MidBlock(nn.Module):
    def __init__(self, c, groups, attention):
        super().__init__()
        self.attentions = nn.ModuleList([Attention(c, groups)]) if attention else None
        self.resnets = nn.ModuleList([Resnet(c, c, groups), Resnet(c, c, groups)])

    def forward(self, x):
        x = self.resnets[0](x)
        if self.attentions is not None:
            x = self.attentions[0](x)
        return self.resnets[1](x)


class Downsample(nn.Module):
    def __init__(self, c, stride):
        super().__init__()
        self.conv = CausalConv3d(c, c, 3, stride)

    def forward(self, x):
        return self.conv(x)


class Upsample(nn.Module):
    def __init__(self, c, time):
        super().__init__()
        self.time = time
        self.conv = CausalConv3d(c, c, 3)

    def forward(self, x):
        first = F.interpolate(x[:, :, 0], scale_factor=(2, 2), mode="nearest").unsqueeze(2)
        if x.shape[2] > 1:
            rest = F.interpolate(x[:, :, 1:].contiguous(), scale_factor=(2 if self.time else 1, 2, 2), mode="nearest")
            x = torch.cat([first, rest], dim=2)
        else:
            x = first
        return self.conv(x)


class Block(nn.Module):
    def __init__(self, cin, cout, layers, groups):
        super().__init__()
        self.resnets = nn.ModuleList([Resnet(cin if i == 0 else cout, cout, groups) for i in range(layers)])


def layout(cfg, channels):
    """Per block: (spatial, temporal) resampling; the last block never resamples."""
    n = len(channels)
    sp = int(math.log2(cfg["spatialCompressionRatio"]))
    tm = int(math.log2(cfg["temporalCompressionRatio"]))
    return [(i < sp, i >= n - 1 - tm and i != n - 1) for i in range(n)]


class Encoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        ch, g, L = cfg["blockOutChannels"], cfg["normNumGroups"], cfg["latentChannels"]
        self.conv_in = CausalConv3d(cfg["inChannels"], ch[0])
        self.down_blocks = nn.ModuleList()
        prev = ch[0]
        for i, (sp, tm) in enumerate(layout(cfg, ch)):
            blk = Block(prev, ch[i], cfg["layersPerBlock"], g)
            if sp or tm:
                blk.downsamplers = nn.ModuleList([Downsample(ch[i], (2 if tm else 1, 2 if sp else 1, 2 if sp else 1))])
            self.down_blocks.append(blk)
            prev = ch[i]
        self.mid_block = MidBlock(ch[-1], g, cfg["midBlockAddAttention"])
        self.conv_norm_out = nn.GroupNorm(g, ch[-1], eps=EPS)
        self.conv_out = CausalConv3d(ch[-1], 2 * L)

    def forward(self, x):
        x = self.conv_in(x)
        for blk in self.down_blocks:
            for r in blk.resnets:
                x = r(x)
            if hasattr(blk, "downsamplers"):
                x = blk.downsamplers[0](x)
        x = self.mid_block(x)
        return self.conv_out(F.silu(self.conv_norm_out(x)))


class Decoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        ch, g, L = list(reversed(cfg["blockOutChannels"])), cfg["normNumGroups"], cfg["latentChannels"]
        self.conv_in = CausalConv3d(L, ch[0])
        self.mid_block = MidBlock(ch[0], g, cfg["midBlockAddAttention"])
        self.up_blocks = nn.ModuleList()
        prev = ch[0]
        for i, (sp, tm) in enumerate(layout(cfg, ch)):
            blk = Block(prev, ch[i], cfg["layersPerBlock"] + 1, g)
            if sp or tm:
                blk.upsamplers = nn.ModuleList([Upsample(ch[i], tm)])
            self.up_blocks.append(blk)
            prev = ch[i]
        self.conv_norm_out = nn.GroupNorm(g, ch[-1], eps=EPS)
        self.conv_out = CausalConv3d(ch[-1], cfg["outChannels"])

    def forward(self, z):
        x = self.mid_block(self.conv_in(z))
        for blk in self.up_blocks:
            for r in blk.resnets:
                x = r(x)
            if hasattr(blk, "upsamplers"):
                x = blk.upsamplers[0](x)
        return self.conv_out(F.silu(self.conv_norm_out(x)))


class VAE(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        L = cfg["latentChannels"]
        self.encoder = Encoder(cfg)
        self.decoder = Decoder(cfg)
        self.quant_conv = nn.Conv3d(2 * L, 2 * L, 1)
        self.post_quant_conv = nn.Conv3d(L, L, 1)
        self.k = cfg["spatialCompressionRatio"]

    def encode(self, x):
        mean, logvar = self.quant_conv(self.encoder(x)).chunk(2, dim=1)
        return mean, logvar.clamp(-30.0, 20.0)

    def decode(self, z):
        return self.decoder(self.post_quant_conv(z))

    def tiled_decode(self, z, spatial=None):
        """Official temporal tiling: 5-latent tiles at stride 3, first frame of later tiles dropped,
        4-frame linear blend with the previous tile's tail, keep 13 then 12 frames, cut to 4T-3."""
        t = z.shape[2]
        dec = self.decode if spatial is None else (lambda x: self.spatial_decode(x, spatial))
        if t <= 4:
            return dec(z)
        tiles = []
        for i in range(0, t, 3):
            d = dec(z[:, :, i:i + 5])
            tiles.append(d if i == 0 else d[:, :, 1:])
        kept = [tiles[0][:, :, :13]]
        for k in range(1, len(tiles)):
            a, b = tiles[k - 1], tiles[k].clone()
            e = min(a.shape[2], b.shape[2], 4)
            for x in range(e):
                b[:, :, x] = a[:, :, x - e] * (1 - x / e) + b[:, :, x] * (x / e)
            tiles[k] = b
            kept.append(b[:, :, :12])
        return torch.cat(kept, dim=2)[:, :, :4 * (t - 1) + 1]


    # diffusers' tiled_decode / tiled_encode (AutoencoderKLHunyuanVideo): decode every tile first,
    # then blend each tile with the (already blended) tile above and to its left, in place, and keep
    # the top-left stride x stride of each.
    @staticmethod
    def blend_v(a, b, extent):
        extent = min(a.shape[-2], b.shape[-2], extent)
        for y in range(extent):
            b[:, :, :, y, :] = a[:, :, :, -extent + y, :] * (1 - y / extent) + b[:, :, :, y, :] * (y / extent)
        return b

    @staticmethod
    def blend_h(a, b, extent):
        extent = min(a.shape[-1], b.shape[-1], extent)
        for x in range(extent):
            b[:, :, :, :, x] = a[:, :, :, :, -extent + x] * (1 - x / extent) + b[:, :, :, :, x] * (x / extent)
        return b

    def _tiles(self, x, run, tile_h, tile_w, stride_h, stride_w, blend_h, blend_w, keep_h, keep_w, out_h, out_w):
        rows = []
        for i in range(0, x.shape[3], stride_h):
            rows.append([run(x[:, :, :, i:i + tile_h, j:j + tile_w]) for j in range(0, x.shape[4], stride_w)])
        result_rows = []
        for i, row in enumerate(rows):
            result_row = []
            for j, tile in enumerate(row):
                if i > 0:
                    tile = self.blend_v(rows[i - 1][j], tile, blend_h)
                if j > 0:
                    tile = self.blend_h(row[j - 1], tile, blend_w)
                result_row.append(tile[:, :, :, :keep_h, :keep_w])
            result_rows.append(torch.cat(result_row, dim=4))
        return torch.cat(result_rows, dim=3)[:, :, :, :out_h, :out_w]

    def spatial_decode(self, z, t):
        k = self.k
        h, w = z.shape[3], z.shape[4]
        if not (w > t["tileSampleMinWidth"] // k or h > t["tileSampleMinHeight"] // k):
            return self.decode(z)
        return self._tiles(
            z, self.decode, t["tileSampleMinHeight"] // k, t["tileSampleMinWidth"] // k,
            t["tileSampleStrideHeight"] // k, t["tileSampleStrideWidth"] // k,
            t["tileSampleMinHeight"] - t["tileSampleStrideHeight"], t["tileSampleMinWidth"] - t["tileSampleStrideWidth"],
            t["tileSampleStrideHeight"], t["tileSampleStrideWidth"], h * k, w * k)

    def spatial_encode_mean(self, x, t):
        k = self.k
        h, w = x.shape[3], x.shape[4]
        run = lambda tile: self.quant_conv(self.encoder(tile))  # noqa: E731
        if not (w > t["tileSampleMinWidth"] or h > t["tileSampleMinHeight"]):
            moments = run(x)
        else:
            moments = self._tiles(
                x, run, t["tileSampleMinHeight"], t["tileSampleMinWidth"], t["tileSampleStrideHeight"], t["tileSampleStrideWidth"],
                (t["tileSampleMinHeight"] - t["tileSampleStrideHeight"]) // k, (t["tileSampleMinWidth"] - t["tileSampleStrideWidth"]) // k,
                t["tileSampleStrideHeight"] // k, t["tileSampleStrideWidth"] // k, h // k, w // k)
        return moments.chunk(2, dim=1)[0]


def reference(config, weights, inputs):
    torch.set_default_dtype(torch.float32)
    vae = VAE(config)
    vae.load_state_dict({k: v.float() for k, v in weights.items()}, strict=True)
    vae.eval()
    mode = config.get("mode", "encode")
    if mode == "encode":
        mean, logvar = vae.encode(inputs["pixels"].float())
        return {"mean": mean, "logvar": logvar}
    if mode == "decode":
        return {"pixels": vae.decode(inputs["latents"].float())}
    if mode == "tiled_decode":
        return {"pixels": vae.tiled_decode(inputs["latents"].float())}
    if mode == "spatial_tiled_decode":
        return {"pixels": vae.tiled_decode(inputs["latents"].float(), config["tiling"])}
    if mode == "spatial_tiled_encode":
        return {"mean": vae.spatial_encode_mean(inputs["pixels"].float(), config["tiling"])}
    raise ValueError("unknown mode %s" % mode)
