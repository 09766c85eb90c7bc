"""Writes the trained weights as safetensors with the official names (RUN/export/vae.safetensors,
RUN/export/transformer.safetensors) and a training card (RUN/export/training-card.json: data,
recipe, steps, final losses, wall time), then builds the bundle through the project's own path
(scripts/train/build-trained-bundle.ts → runBuildBundle).

  /usr/bin/python3 scripts/train/export.py --config scripts/train/config.json --run RUN --out /tmp/fpt/bundle
  (then `npm run make-default-bundle -- --from RUN/export` makes it the default bundle)
"""
import argparse
import json
import os
import subprocess

import torch

import common
import st


def stage_summary(path, loss_keys=("loss",)):
    """Steps, first/final losses (final = mean of the last 10 logged rows: single steps are noisy
    because every sample draws its own sigma) and wall time from a JSON-lines log. wallSeconds
    restarts with each (resumed) process, so the stage's time is the sum of each segment's last value."""
    rows = [json.loads(l) for l in open(path)] if os.path.exists(path) else []
    rows = [r for r in rows if "loss" in r]
    if not rows:
        return {"steps": 0}
    wall, prev = 0.0, 0.0
    for r in rows:
        if r["wallSeconds"] < prev:
            wall += prev
        prev = r["wallSeconds"]
    wall += prev
    tail = rows[-10:]
    out = {"steps": rows[-1]["step"], "wallSeconds": round(wall, 1),
           "secPerStep": round(sum(r["secPerStep"] for r in rows) / len(rows), 3),
           "lossCurve": [[r["step"], round(r["loss"], 5)] for r in rows[:: max(1, len(rows) // 20)]]}
    for k in loss_keys:
        vals = [r[k] for r in tail if r.get(k) is not None]
        first = next((r[k] for r in rows if r.get(k) is not None), None)
        out[k] = {"first": first, "finalMeanOfLast10Logged": (sum(vals) / len(vals)) if vals else None}
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default=os.path.join(common.HERE, "config.json"))
    ap.add_argument("--run", required=True)
    ap.add_argument("--out", required=True, help="bundle folder to build; the default bundle is rebuilt with `npm run make-default-bundle -- --from RUN/export`")
    ap.add_argument("--name", default="framepack-tiny-trained")
    args = ap.parse_args()
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
        "components": cfg.get("components", {}),
        "vae": {"config": cfg["vae"], **stage_summary(os.path.join(args.run, "vae", "log.jsonl"), ("loss", "mse", "l1")),
                "scalingFactor": scaling},
        "transformer": {"config": cfg["transformer"],
                        **stage_summary(os.path.join(args.run, "transformer", "log.jsonl"), ("loss", "loss_inverted", "loss_vanilla"))},
        "frozen": "text_encoder, text_encoder_2, image_encoder: seeded weights (scripts/seeded-bundle.ts, seed 20250503), as in %s" % cfg["bundle"],
        "machine": {"cpus": os.cpu_count(), "torchThreads": int(os.environ.get("TRAIN_THREADS", "2")), "torch": torch.__version__},
    }
    with open(os.path.join(ex, "training-card.json"), "w") as f:
        json.dump(card, f, indent=2)
    cmd = ["npx", "tsx", "scripts/train/build-trained-bundle.ts", "--vae", os.path.join(ex, "vae.safetensors"),
           "--transformer", os.path.join(ex, "transformer.safetensors"), "--out", args.out, "--name", args.name,
           "--card", os.path.join(ex, "training-card.json"), "--scaling-factor", repr(scaling),
           "--components", json.dumps(cfg.get("components", {}))]
    subprocess.run(cmd, cwd=common.REPO, check=True)


if __name__ == "__main__":
    main()
