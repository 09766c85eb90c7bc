"""Where a trained tiny transformer stands, in its own (PyTorch) world, without the engine: for one
cached training clip and the first generated section of a 4-section inverted job (history empty,
exactly a training layout), the x0 error of one denoising step at several sigma, split into the
colour latent channels 0-2 (what vae_init.py's VAE uses) and the other 13 (near zero in the data),
and the error of a 25-step Euler sample from pure noise, next to what copying the clean start
latent into every frame would score, and how far the σ = 1 prediction moves when another clip's
prompt is swapped in (0 = the prompt is ignored). Means over --clips. Prints JSON.

  /usr/bin/python3 scripts/train/probe_transformer.py --config scripts/train/config.json --run RUN [--clips 0,1,2]
"""
import argparse
import json
import os

import torch

import common
import sections
import st
import transformer_ref
from train_transformer import gather, section_inputs


def probe_clip(cfg, tc, W, z, cond, clip, sec, other_row):
    def velocity(xt, sigma, row=int(cond["prompt_of_clip"][clip])):
        with torch.no_grad():
            return transformer_ref.forward(tc, W, section_inputs(z, cond, clip, row, sec, xt, sigma, cfg["transformer"]["guidance"]))

    x0 = gather(z, sec["window"])
    torch.manual_seed(clip)
    noise = torch.randn_like(x0)
    colour = lambda e: float(e[:, :3].mean())
    other = lambda e: float(e[:, 3:].mean())
    # What copying the clean start latent into every window frame would score: the part of the
    # window the context already tells (background, palette, the shape's look).
    start = z[:, 0:1][None].expand_as(x0)
    out = {"varColour": float(x0[:, :3].var()), "varOther": float(x0[:, 3:].var()),
           "copyStartMseColour": colour((start - x0) ** 2), "oneStep": {}}
    for sigma in SIGMAS:
        xt = (1 - sigma) * x0 + sigma * noise
        err = (xt - sigma * velocity(xt, sigma) - x0) ** 2
        out["oneStep"][sigma] = (colour(err), other(err))
    # How much the prompt steers the prediction: x0 at σ = 1 with another clip's prompt instead.
    xp = noise - velocity(noise, 1.0)
    out["promptSwapChange"] = colour((xp - (noise - velocity(noise, 1.0, other_row))) ** 2)
    shift = EULER_SHIFT
    t = torch.linspace(1, 0, 26)
    sig = shift * t / (1 + (shift - 1) * t)
    x = noise.clone()
    for i in range(25):
        x = x + (sig[i + 1] - sig[i]) * velocity(x, float(sig[i]))
    out["euler25"] = (colour((x - x0) ** 2), other((x - x0) ** 2))
    return out


SIGMAS = (0.2, 0.5, 0.8, 0.95, 1.0)
# The engine's dynamic shift exp(μ) for 9×8×12 latents (daemon/engine/sigmas.ts), not the training
# config's sigmaShift: the sample is taken on the schedule generation uses.
EULER_SHIFT = 1.64


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default=os.path.join(common.HERE, "config.json"))
    ap.add_argument("--run", required=True)
    ap.add_argument("--clips", default="0,1,2,3,4,5,6,7", help="comma-separated cached clip numbers; figures are their means")
    args = ap.parse_args()
    torch.set_num_threads(int(os.environ.get("TRAIN_THREADS", "2")))
    cfg = common.load_config(args.config)
    tc = common.component_config(cfg, "transformer")
    z_all = torch.load(os.path.join(args.run, "latents.pt"))
    cond = st.load(os.path.join(args.run, "conditions.safetensors"))
    W = {k: v.float() for k, v in torch.load(os.path.join(args.run, "transformer", "latest.pt"))["model"].items()}
    sec = sections.inverted_section(cfg["data"]["maxSections"], 0, cfg["data"]["latentWindowSize"])
    clips = [int(c) for c in args.clips.split(",")]
    # The swapped-in prompt: the first clip (in order) whose prompt differs from this clip's.
    rows = [int(r) for r in cond["prompt_of_clip"]]
    other = lambda c: next(rows[j % len(rows)] for j in range(c + 1, c + len(rows)) if rows[j % len(rows)] != rows[c]) if len(set(rows)) > 1 else rows[c]
    per = [probe_clip(cfg, tc, W, z_all[c], cond, c, sec, other(c)) for c in clips]
    mean = lambda f: round(sum(f(p) for p in per) / len(per), 4)
    print(json.dumps({
        "clips": clips, "varColour": mean(lambda p: p["varColour"]), "varOther": mean(lambda p: p["varOther"]),
        "copyStartMseColour": mean(lambda p: p["copyStartMseColour"]),
        "promptSwapChangeColour": mean(lambda p: p["promptSwapChange"]),
        "oneStep": [{"sigma": s, "x0MseColour": mean(lambda p: p["oneStep"][s][0]), "x0MseOther": mean(lambda p: p["oneStep"][s][1])} for s in SIGMAS],
        "euler25": {"mseColour": mean(lambda p: p["euler25"][0]), "mseOther": mean(lambda p: p["euler25"][1])},
    }))


if __name__ == "__main__":
    main()
