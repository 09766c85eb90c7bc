"""Reference for daemon/media/pil-resample.ts and image-input.ts resizeAndCrop: real Pillow.

Reads JSON on stdin: {"dir": D, "cases": [{"name": N, "width": W, "height": H, "op": OP, ...}]}.
Each case's input is D/N.in.raw (uint8 RGB, H×W×3); the result is written to D/N.out.raw.
  op "resize": Image.resize((outWidth, outHeight), filter) with filter lanczos|bicubic|bilinear
  op "center_crop": the demo's resize-and-centre-crop to (outWidth, outHeight), written from
     FRAMEPACK.md §3.2: scale = max(W/w, H/h), round, LANCZOS resize, crop the fractional box.
Prints {"pillow": version}."""
import json
import os
import sys

import numpy as np
import PIL
from PIL import Image

FILTERS = {"lanczos": Image.LANCZOS, "bicubic": Image.BICUBIC, "bilinear": Image.BILINEAR}


def center_crop(arr, tw, th):
    h, w = arr.shape[:2]
    if (w, h) == (tw, th):
        return arr
    s = max(tw / w, th / h)
    rw, rh = round(w * s), round(h * s)
    big = Image.fromarray(arr).resize((rw, rh), Image.LANCZOS)
    box = ((rw - tw) / 2, (rh - th) / 2, (rw + tw) / 2, (rh + th) / 2)
    return np.asarray(big.crop(box))


def main():
    req = json.load(sys.stdin)
    for c in req["cases"]:
        base = os.path.join(req["dir"], c["name"])
        arr = np.fromfile(base + ".in.raw", dtype=np.uint8).reshape(c["height"], c["width"], 3)
        if c["op"] == "resize":
            out = np.asarray(Image.fromarray(arr).resize((c["outWidth"], c["outHeight"]), FILTERS[c["filter"]]))
        else:
            out = center_crop(arr, c["outWidth"], c["outHeight"])
        np.ascontiguousarray(out, dtype=np.uint8).tofile(base + ".out.raw")
    print(json.dumps({"pillow": PIL.__version__}))


if __name__ == "__main__":
    main()
