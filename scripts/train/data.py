"""Seeded procedural training clips for the tiny FramePack: one coloured shape (circle, square or
triangle) on a plain or gradient background that moves left/right/up/down, bounces, grows, shrinks,
rotates or changes colour, with a prompt in the vocabulary of models/tokenizers-src (the words of
scripts/tiny-tokenizer/corpus.ts). 30 fps, uint8 RGB [frames, height, width, 3].

Deterministic: clip(seed, index, ...) depends only on its arguments (numpy PCG64 seeded with
[seed, index]), so a data set is a seed plus a count, never files on disk.

  /usr/bin/python3 scripts/train/data.py --check   # JSON self-check used by data.test.ts
"""
import hashlib
import json
import math
import sys

import numpy as np

FPS = 30

# Names the tokenizers know; RGB chosen to be far apart so the VAE has distinct targets.
COLOURS = {
    "red": (220, 40, 40), "green": (40, 180, 60), "blue": (40, 80, 220), "yellow": (240, 220, 40),
    "orange": (245, 140, 30), "purple": (140, 50, 180), "pink": (245, 130, 190), "white": (245, 245, 245),
    "black": (15, 15, 15), "gray": (128, 128, 128), "cyan": (40, 210, 220), "brown": (130, 80, 40),
}
SHAPES = ("circle", "square", "triangle")
MOTIONS = ("left", "right", "up", "down", "bounce", "grow", "shrink", "rotate", "colour")
# Fraction of the frame a left/right/up/down move crosses over the clip. One value, not a range:
# with 30–45 % the tiny transformer's guess of where the shape ends was a smear over the range,
# and sampling broke that smear into speckles instead of one shape (docs/training.md, v3).
TRAVEL = 0.4


def _luma(c):
    return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]


def _pick_colours(rng, n):
    """n colour names whose lumas/hues differ enough to be told apart on screen."""
    names = list(COLOURS)
    while True:
        picked = [names[i] for i in rng.choice(len(names), size=n, replace=False)]
        cs = [np.array(COLOURS[p], dtype=np.float64) for p in picked]
        if all(np.abs(cs[i] - cs[j]).sum() > 150 for i in range(n) for j in range(i + 1, n)):
            return picked


def _sdf(shape, xs, ys, cx, cy, size, angle):
    """Signed distance (pixels) of each pixel centre to the shape boundary; size = half-extent."""
    dx, dy = xs - cx, ys - cy
    if shape == "circle":
        return np.sqrt(dx * dx + dy * dy) - size
    ca, sa = math.cos(angle), math.sin(angle)
    u, v = ca * dx + sa * dy, -sa * dx + ca * dy
    if shape == "square":
        qx, qy = np.abs(u) - size, np.abs(v) - size
        outside = np.sqrt(np.maximum(qx, 0) ** 2 + np.maximum(qy, 0) ** 2)
        return outside + np.minimum(np.maximum(qx, qy), 0)
    # Equilateral triangle with circumradius size*1.2, pointing up at angle 0 (an inexact but
    # monotone SDF: max of the three half-plane distances).
    # The edge opposite vertex k has outward normal -(direction of vertex k) and lies r/2 from the centre.
    r = size * 1.2
    d = None
    for k in range(3):
        a = 2 * math.pi * k / 3 - math.pi / 2  # vertex directions; -pi/2 points up (y grows down)
        e = -(math.cos(a) * u + math.sin(a) * v) - r / 2
        d = e if d is None else np.maximum(d, e)
    return d


def _background(rng, h, w, name):
    base = np.array(COLOURS[name], dtype=np.float64)
    if rng.random() < 0.5:
        return np.broadcast_to(base, (h, w, 3)).copy(), "plain"
    # Gradient from the named colour to a 35% darker/lighter copy, in a random direction.
    other = base * 0.65 if _luma(base) > 100 else base + (255 - base) * 0.35
    a = rng.uniform(0, 2 * math.pi)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    t = (math.cos(a) * (xs / w - 0.5) + math.sin(a) * (ys / h - 0.5)) + 0.5
    t = np.clip(t, 0, 1)[..., None]
    return base * (1 - t) + other * t, "gradient"


def clip(seed, index, height=64, width=96, frames=145, motion=None):
    """Returns (pixels uint8 [F, H, W, 3], prompt str, meta dict). `motion` forces one of MOTIONS."""
    rng = np.random.default_rng([int(seed), int(index)])
    motion = motion or MOTIONS[rng.integers(len(MOTIONS))]
    shape = SHAPES[rng.integers(len(SHAPES))]
    bg_name, fg_name, fg2_name = _pick_colours(rng, 3)
    bg, bg_kind = _background(rng, height, width, bg_name)
    short = min(height, width)
    size0 = rng.uniform(0.12, 0.2) * short
    size1 = size0
    angle0, spin = rng.uniform(0, math.pi / 2), 0.0
    cx0, cy0 = rng.uniform(0.35, 0.65) * width, rng.uniform(0.35, 0.65) * height
    vx = vy = 0.0
    rng.uniform(0.3, 0.45)  # was the travel (v2); still drawn so every clip keeps its scene and prompt
    travel = TRAVEL
    if motion in ("left", "right"):
        vx = travel * width / (frames - 1) * (-1 if motion == "left" else 1)
        cx0 = width / 2 - vx * (frames - 1) / 2
    elif motion in ("up", "down"):
        vy = travel * height / (frames - 1) * (-1 if motion == "up" else 1)
        cy0 = height / 2 - vy * (frames - 1) / 2
    elif motion == "bounce":
        speed = rng.uniform(0.6, 1.2)
        a = rng.uniform(0, 2 * math.pi)
        vx, vy = speed * math.cos(a), speed * math.sin(a)
    elif motion == "grow":
        size0, size1 = 0.08 * short, rng.uniform(0.28, 0.34) * short
    elif motion == "shrink":
        size0, size1 = rng.uniform(0.28, 0.34) * short, 0.08 * short
    elif motion == "rotate":
        if shape == "circle":
            shape = SHAPES[1 + rng.integers(2)]  # a rotating circle looks still
        spin = rng.uniform(1.0, 2.0) * math.pi / FPS * (1 if rng.random() < 0.5 else -1)

    ys, xs = np.mgrid[0:height, 0:width].astype(np.float64) + 0.5
    fg, fg2 = np.array(COLOURS[fg_name], np.float64), np.array(COLOURS[fg2_name], np.float64)
    out = np.empty((frames, height, width, 3), np.uint8)
    centres, sizes = [], []
    cx, cy = cx0, cy0
    for f in range(frames):
        t = f / max(frames - 1, 1)
        size = size0 + (size1 - size0) * t
        if motion == "bounce":
            if f > 0:
                cx, cy = cx + vx, cy + vy
                if cx - size < 0 or cx + size > width:
                    vx, cx = -vx, min(max(cx, size), width - size)
                if cy - size < 0 or cy + size > height:
                    vy, cy = -vy, min(max(cy, size), height - size)
        else:
            cx, cy = cx0 + vx * f, cy0 + vy * f
        colour = fg * (1 - t) + fg2 * t if motion == "colour" else fg
        cover = np.clip(0.5 - _sdf(shape, xs, ys, cx, cy, size, angle0 + spin * f), 0, 1)[..., None]
        out[f] = np.round(bg * (1 - cover) + colour * cover).clip(0, 255).astype(np.uint8)
        centres.append((cx, cy))
        sizes.append(size)
    prompt = _prompt(rng, motion, shape, fg_name, fg2_name, bg_name, spin)
    meta = {"seed": seed, "index": index, "motion": motion, "shape": shape, "colour": fg_name,
            "colour2": fg2_name if motion == "colour" else None, "background": bg_name, "backgroundKind": bg_kind,
            "centres": centres, "sizes": sizes}
    return out, prompt, meta


def _prompt(rng, motion, shape, fg, fg2, bg, spin):
    size = "" if rng.random() < 0.6 else ("small " if motion not in ("grow", "shrink") else "")
    phrase = {
        "left": ["moves left", "moves to the left", "slides left"],
        "right": ["moves right", "moves to the right", "slides right"],
        "up": ["moves up", "slides up"],
        "down": ["moves down", "slides down"],
        "bounce": ["bounces off the edges", "bounces"],
        "grow": ["grows", "grows bigger"],
        "shrink": ["shrinks"],
        "rotate": ["rotates clockwise" if spin > 0 else "rotates counterclockwise", "spins"],
        "colour": ["changes colour from %s to %s" % (fg, fg2), "turns %s" % fg2],
    }[motion]
    verb = phrase[rng.integers(len(phrase))]
    return "a %s%s %s %s on a %s background" % (size, fg, shape, verb, bg)


def measure_motion(pixels):
    """What the frames show: centroid drift (px), area ratio last/first, mean-colour change of the
    shape, from pixels that differ from the per-pixel median over time (the static background)."""
    f = pixels.astype(np.int16)
    bg = np.median(f, axis=0)
    def stats(i):
        m = np.abs(f[i] - bg).max(-1) > 40
        ys, xs = np.nonzero(m)
        if len(xs) == 0:
            return None
        return xs.mean(), ys.mean(), len(xs), f[i][m].mean(0)
    a, b = stats(0), stats(len(f) - 1)
    if a is None or b is None:
        return None
    # Area by colour: a shape that stays centred (grow/shrink) is most of the time-median, so the
    # median mask misses it. Its colour is the colour at the centre of the first/last change.
    diff = np.abs(f[0] - f[-1]).max(-1) > 40
    ys, xs = np.nonzero(diff)
    area = [None, None]
    if len(xs):
        cy, cx = int(round(ys.mean())), int(round(xs.mean()))
        for k, i in enumerate((0, len(f) - 1)):
            area[k] = int((np.abs(f[i] - f[i][cy, cx]).sum(-1) < 30).sum())
    ratio = area[1] / area[0] if area[0] else None
    return {"dx": b[0] - a[0], "dy": b[1] - a[1], "areaRatio": ratio, "colourDelta": float(np.abs(b[3] - a[3]).sum())}


def prompt_matches(prompt, m):
    """Does the measured motion agree with the prompt's verb?"""
    if m is None:
        return False
    subject = prompt.split(" on a ")[0]
    if subject.endswith(" left"):
        return m["dx"] < -5
    if subject.endswith(" right"):
        return m["dx"] > 5
    if subject.endswith(" up"):
        return m["dy"] < -3
    if subject.endswith(" down"):
        return m["dy"] > 3
    if "grows" in subject:
        return m["areaRatio"] is not None and m["areaRatio"] > 2
    if "shrinks" in subject:
        return m["areaRatio"] is not None and m["areaRatio"] < 0.5
    if "colour" in subject or "turns" in subject:
        return m["colourDelta"] > 60
    return True  # bounce / rotate: checked by the frames changing at all (below)


def _check():
    res = {"sameSeedSame": None, "otherSeedDiffers": None, "clips": []}
    a = clip(7, 3)[0]
    b = clip(7, 3)[0]
    c = clip(8, 3)[0]
    res["sameSeedSame"] = bool(np.array_equal(a, b))
    res["otherSeedDiffers"] = not np.array_equal(a, c)
    res["sha256"] = hashlib.sha256(a.tobytes()).hexdigest()
    for i, motion in enumerate(MOTIONS):
        px, prompt, meta = clip(11, 100 + i, frames=73, motion=motion)
        m = measure_motion(px)
        changes = float(np.abs(px[0].astype(np.int16) - px[-1]).mean())
        res["clips"].append({"motion": motion, "prompt": prompt, "shape": list(px.shape), "measured": m,
                             "framesChange": changes, "matches": prompt_matches(prompt, m) and changes > 0.5})
    print(json.dumps(res))


def dump_starts(out_dir, seed, count, height, width, frames):
    """prompts.json + start.bin/start.json (first frames) for scripts/train/encode-conditions.ts."""
    import os
    os.makedirs(out_dir, exist_ok=True)
    prompts, starts = [], []
    for i in range(count):
        px, pr, _ = clip(seed, i, height, width, frames)
        prompts.append(pr)
        starts.append(px[0])
    json.dump(prompts, open(os.path.join(out_dir, "prompts.json"), "w"))
    np.stack(starts).tofile(os.path.join(out_dir, "start.bin"))
    json.dump({"count": count, "height": height, "width": width}, open(os.path.join(out_dir, "start.json"), "w"))


def write_start_image(out_png, seed, index, motion, height, width):
    """Frame 0 of clip(seed, index) rendered at height×width, as a PNG (docs/examples/start.png is
    `--start-image docs/examples/start.png 4242 20 right 320 480`: a held-out clip, rendered at 5×
    so the engine's resize to the 64×96 bucket sees a crisp picture). Prints the clip's prompt."""
    from PIL import Image
    px, prompt, meta = clip(seed, index, height, width, 145, motion)
    Image.fromarray(px[0]).save(out_png)
    print(json.dumps({"png": out_png, "prompt": prompt, "motion": meta["motion"], "shape": meta["shape"]}))


if __name__ == "__main__":
    if "--start-image" in sys.argv:
        # --start-image OUT.png SEED INDEX MOTION HEIGHT WIDTH
        i = sys.argv.index("--start-image")
        out, seed, index, motion, h, w = sys.argv[i + 1:i + 7]
        write_start_image(out, int(seed), int(index), motion, int(h), int(w))
    elif "--dump" in sys.argv:
        # --dump DIR CONFIG.json: the start frames and prompts of the config's data set
        i = sys.argv.index("--dump")
        cfg = json.load(open(sys.argv[i + 2]))["data"]
        dump_starts(sys.argv[i + 1], cfg["seed"], cfg["clips"], cfg["height"], cfg["width"], cfg["frames"])
    elif "--check" in sys.argv:
        _check()
    elif "--prompts" in sys.argv:
        # --prompts SEED COUNT: one prompt per line (for the tokenizer check and condition encoding)
        i = sys.argv.index("--prompts")
        seed, count = int(sys.argv[i + 1]), int(sys.argv[i + 2])
        for k in range(count):
            print(clip(seed, k, frames=2)[1])
