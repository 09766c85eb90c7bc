"""Reference for daemon/media/pixels.ts: the soft append of decoded sections and the float→uint8
conversion of the official video writer, written from FRAMEPACK.md §8.3 and §12 in torch.

Reads JSON on stdin: {"cases": [{"earlier": V, "later": V, "overlap": n}], "values": [..]} where
V = {"frames": T, "height": H, "width": W, "data": [...]} in [1,3,T,H,W] order. Prints JSON with,
per case, the float32 blend, its uint8 frames (T,H,W,C order), and the uint8 frames of the same
blend computed in float16 as the official CPU code does; plus the uint8 conversion of "values" and x/127.5 − 1 for every byte x."""
import json
import sys

import torch


def video(v, dtype):
    t = torch.tensor(v["data"], dtype=torch.float32).reshape(1, 3, v["frames"], v["height"], v["width"])
    return t.to(dtype)


def blend(a, b, n):
    # a is earlier in time, b later; linear weights from 1 to 0 over the n shared frames.
    if n <= 0:
        return torch.cat([a, b], dim=2)
    w = torch.linspace(1, 0, n, dtype=a.dtype).view(1, 1, n, 1, 1)
    mixed = w * a[:, :, a.shape[2] - n:] + (1 - w) * b[:, :, :n]
    return torch.cat([a[:, :, : a.shape[2] - n], mixed, b[:, :, n:]], dim=2)


def to_bytes(x):
    y = torch.clamp(x.float(), -1.0, 1.0) * 127.5 + 127.5
    return y.to(torch.uint8)


def main():
    req = json.load(sys.stdin)
    out = {"cases": []}
    for c in req["cases"]:
        n = c["overlap"]
        f32 = blend(video(c["earlier"], torch.float32), video(c["later"], torch.float32), n)
        f16 = blend(video(c["earlier"], torch.float16), video(c["later"], torch.float16), n)
        thwc = lambda u: u[0].permute(1, 2, 3, 0).reshape(-1).tolist()
        out["cases"].append({
            "blend": f32.reshape(-1).tolist(),
            "bytes32": thwc(to_bytes(f32)),
            "bytes16": thwc(to_bytes(f16)),
        })
    out["values"] = to_bytes(torch.tensor(req["values"], dtype=torch.float32)).tolist()
    # The VAE input normalisation of the start image (uint8 HWC → float).
    out["normalised"] = (torch.arange(256, dtype=torch.uint8).float() / 127.5 - 1).tolist()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
