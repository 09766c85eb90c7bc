"""torch.randn draws for the engine's seeded noise cross-check (daemon/engine/seeded-noise.ts).

  /usr/bin/python3 scripts/reference/randn_ref.py < request.json > response.json

Request: {"cases": [{"seed": s, "sizes": [n1, n2, ...]}, ...]}: one CPU generator per case,
seeded with manual_seed(s), drawing randn(n) for each size in turn (one draw per section).
Response: {"cases": [[[...], [...]], ...]} with the float32 values."""
import json
import sys

import torch


def main():
    req = json.load(sys.stdin)
    out = []
    for case in req["cases"]:
        gen = torch.Generator("cpu").manual_seed(case["seed"])
        out.append([torch.randn(n, generator=gen, dtype=torch.float32).tolist() for n in case["sizes"]])
    json.dump({"cases": out}, sys.stdout)


if __name__ == "__main__":
    main()
