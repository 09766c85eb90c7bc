"""Training-sample section geometry, mirroring daemon/engine/section-plan.ts (FRAMEPACK.md §8):
for a clip of N sections (1 + ws·N latents, latent 0 = the start image), which latents a section
generates, which feed its clean/2×/4× context (zero-filled where the history is short) and the RoPE
frame indices of each input, for the inverted (anti-drifting) order and the vanilla baseline.

Keep in step with section-plan.ts: latentPaddings, planInverted's arange split [1, p·ws, ws, 1, 2, 16]
and context history[:19] split [1, 2, 16]; planForward's vanilla indices [1, 16, 2, 1, ws] with the
two most recent history latents as the 1× pair and zero 2×/4× slots."""
HISTORY_1X, HISTORY_2X, HISTORY_4X = 1, 2, 16


def latent_paddings(n):
    if n > 4:
        return [3] + [2] * (n - 3) + [1, 0]
    return list(range(n - 1, -1, -1))


def _slot(history, start, length):
    """history[start:start+length] as a list of latent indices, None where zero-filled."""
    return [history[i] if 0 <= i < len(history) else None for i in range(start, start + length)]


def inverted_section(n, k, ws):
    """Generation step k (0 = first sampled = last in the video) of an n-section inverted job."""
    p = latent_paddings(n)[k]
    d = n - 1 - k  # display position of the window
    window = list(range(1 + d * ws, 1 + (d + 1) * ws))
    history = list(range(1 + (d + 1) * ws, 1 + n * ws))  # generated before this step: after the window
    post = 1 + p * ws + ws
    return {
        "mode": "inverted", "padding": p, "display": d, "window": window,
        "clean": [0] + _slot(history, 0, HISTORY_1X),
        "clean2x": _slot(history, HISTORY_1X, HISTORY_2X),
        "clean4x": _slot(history, HISTORY_1X + HISTORY_2X, HISTORY_4X),
        "idx_latent": list(range(1 + p * ws, 1 + p * ws + ws)),
        "idx_clean": [0, post],
        "idx_clean2x": list(range(post + 1, post + 1 + HISTORY_2X)),
        "idx_clean4x": list(range(post + 1 + HISTORY_2X, post + 1 + HISTORY_2X + HISTORY_4X)),
    }


def vanilla_section(d, ws):
    """Section d (display = generation order) of the vanilla baseline: the two most recent latents."""
    ctx = HISTORY_1X + HISTORY_2X + HISTORY_4X
    history = list(range(0, 1 + d * ws))
    h = len(history)
    return {
        "mode": "vanilla", "padding": 0, "display": d, "window": list(range(1 + d * ws, 1 + (d + 1) * ws)),
        "clean": _slot(history, h - 2, 1) + _slot(history, h - 1, 1),
        "clean2x": [None] * HISTORY_2X,
        "clean4x": [None] * HISTORY_4X,
        "idx_latent": list(range(1 + ctx, 1 + ctx + ws)),
        "idx_clean": [ctx - 1, ctx],
        "idx_clean2x": list(range(1 + HISTORY_4X, 1 + HISTORY_4X + HISTORY_2X)),
        "idx_clean4x": list(range(1, 1 + HISTORY_4X)),
    }


if __name__ == "__main__":
    # --dump NMAX WS: every inverted section of 1..NMAX-section jobs and the first NMAX vanilla
    # sections, as JSON (compared with section-plan.ts by scripts/train/train.test.ts).
    import json
    import sys
    nmax, ws = int(sys.argv[2]), int(sys.argv[3])
    print(json.dumps({
        "inverted": {str(n): [inverted_section(n, k, ws) for k in range(n)] for n in range(1, nmax + 1)},
        "vanilla": [vanilla_section(d, ws) for d in range(nmax)],
    }))
