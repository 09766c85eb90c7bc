"""Shared pieces of the training scripts: config and bundle reading, the learning-rate schedule,
resumable checkpoints (model + optimizer + step + every RNG) and JSON-lines logs."""
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "scripts", "reference"))
sys.path.insert(0, HERE)


def load_config(path):
    with open(path) as f:
        return json.load(f)


def bundle_manifest(cfg):
    with open(os.path.join(REPO, cfg["bundle"], "manifest.json")) as f:
        return json.load(f)


def component_config(cfg, component):
    """The bundle's architecture config of a component, with the training config's overrides
    (cfg["components"][component]) laid over it; the exported bundle gets the same overrides."""
    return {**bundle_manifest(cfg)["components"][component]["config"], **cfg.get("components", {}).get(component, {})}


def lr_at(step, stage):
    """Linear warm-up, then cosine (or constant) decay to minLrRatio·lr at step `decaySteps` (default:
    the last step), held there for the steps after it (a low-lr tail)."""
    lr, warm, total = stage["lr"], stage.get("warmupSteps", 0), stage.get("decaySteps", stage["steps"])
    if step < warm:
        return lr * (step + 1) / warm
    if stage.get("schedule", "cosine") != "cosine":
        return lr
    frac = min(1.0, (step - warm) / max(1, total - warm))
    lo = stage.get("minLrRatio", 0.0)
    return lr * (lo + (1 - lo) * 0.5 * (1 + math.cos(math.pi * frac)))


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed % (2 ** 32))
    torch.manual_seed(seed)


def save_checkpoint(path, state, data_rng):
    """Atomic: a crash mid-write leaves the previous checkpoint."""
    state = dict(state)
    state["rng"] = {"torch": torch.get_rng_state(), "python": random.getstate(), "data": data_rng.bit_generator.state}
    tmp = path + ".tmp"
    torch.save(state, tmp)
    os.replace(tmp, path)


def load_checkpoint(path, data_rng):
    state = torch.load(path)
    torch.set_rng_state(state["rng"]["torch"])
    random.setstate(state["rng"]["python"])
    data_rng.bit_generator.state = state["rng"]["data"]
    return state


class JsonLog:
    """Appends one JSON object per line; resumed runs keep appending to the same file."""

    def __init__(self, path):
        self.f = open(path, "a")
        self.t0 = time.time()

    def write(self, **row):
        row["wallSeconds"] = round(time.time() - self.t0, 3)
        self.f.write(json.dumps(row) + "\n")
        self.f.flush()
        try:  # a closed stdout (e.g. piped into `head`) must not stop training before a checkpoint
            print(json.dumps(row), flush=True)
        except (BrokenPipeError, ValueError):
            pass


def clip_tensor(pixels_uint8):
    """uint8 [F, H, W, 3] -> float [3, F, H, W] in [-1, 1] (the VAE's input range)."""
    return torch.from_numpy(pixels_uint8).permute(3, 0, 1, 2).float() / 127.5 - 1.0
