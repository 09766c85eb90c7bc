"""Writes the trained weights as safetensors with the official names (RUN/export/vae.safetensors,
RUN/export/transformer.safetensors) and a training card (RUN/export/training-card.json: data,
recipe, steps, final losses, wall time), then builds the bundle through the project's own path
(scripts/train/build-trained-bundle.ts → runBuildBundle).

  /usr/bin/python3 scripts/train/export.py --config scripts/train/config.json --run RUN --out models/framepack-tiny-trained
"""
import argparse
import json
import os
import subprocess

import torch

import common
import st


def last_rows(path):
    rows = [json.loads(l) for l in open(path)] if os.path.exists(path) else []
    losses = [r for r in rows if "loss" in r]
    return {"steps": losses[-1]["step"] if losses else 0, "firstLoss": losses[0]["loss"] if losses else None,
            "finalLoss": losses[-1]["loss"] if losses else None,
            "trainSeconds": round(sum(r.get("secPerStep", 0) for r in losses) / max(1, len(losses)) * (losses[-1]["step"] if losses else 0), 1)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default=os.path.join(common.HERE, "config.json"))
    ap.add_argument("--run", required=True)
    ap.add_argument("--out", required=True, help="bundle folder to build (never models/framepack-tiny)")
    ap.add_argument("--name", default="framepack-tiny-trained")
    args = ap.parse_args()
    if os.path.abspath(args.out) == os.path.join(common.REPO, "models", "framepack-tiny"):
        raise SystemExit("export: refusing to overwrite the seeded default bundle models/framepack-tiny")
    cfg = common.load_config(args.config)
    ex = os.path.join(args.run, "export")
    os.makedirs(ex, exist_ok=True)
    vae = torch.load(os.path.join(args.run, "vae", "latest.pt"))
    st.save(os.path.join(ex, "vae.safetensors"), {k: v.float().contiguous() for k, v in vae["model"].items()})
    tr = torch.load(os.path.join(args.run, "transformer", "latest.pt"))
    st.save(os.path.join(ex, "transformer.safetensors"), {k: v.float().contiguous() for k, v in tr["model"].items()})
    scaling = json.load(open(os.path.join(args.run, "vae", "scaling.json")))["scalingFactor"]
    card = {
        "name": args.name, "recipe": cfg["recipe"], "seed": cfg["seed"], "data": cfg["data"],
        "vae": {"config": cfg["vae"], **last_rows(os.path.join(args.run, "vae", "log.jsonl")), "scalingFactor": scaling},
        "transformer": {"config": cfg["transformer"], **last_rows(os.path.join(args.run, "transformer", "log.jsonl"))},
        "frozen": "text_encoder, text_encoder_2, image_encoder: the seeded weights of %s" % cfg["bundle"],
    }
    with open(os.path.join(ex, "training-card.json"), "w") as f:
        json.dump(card, f, indent=2)
    cmd = ["npx", "tsx", "scripts/train/build-trained-bundle.ts", "--vae", os.path.join(ex, "vae.safetensors"),
           "--transformer", os.path.join(ex, "transformer.safetensors"), "--out", args.out, "--name", args.name,
           "--card", os.path.join(ex, "training-card.json"), "--scaling-factor", repr(scaling)]
    subprocess.run(cmd, cwd=common.REPO, check=True)


if __name__ == "__main__":
    main()
