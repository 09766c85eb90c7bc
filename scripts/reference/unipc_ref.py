"""Independent PyTorch reference for the engine's pure sampling pieces (daemon/engine/sigmas.ts,
samplers/unipc.ts, samplers/guidance.ts), written from FRAMEPACK.md §6.2-6.4 with float32 torch
tensors as the official sampler uses them.

  /usr/bin/python3 scripts/reference/unipc_ref.py < request.json > response.json

Request: {"sigma_cases": [[steps, mu], ...],
          "unipc": {"z": [...], "mean": [...], "std": [...], "sigmas": [...], "variants": ["bh1", "bh2"]},
          "guidance": {"x": [...], "sigma": s, "gs": g, "cfg": c, "rs": r}}
Response: {"sigmas": [[...], ...], "unipc": {variant: {"xs": [[...] per step], "out": [...]}},
           "guidance": {"x0": [...], "timestep": t, "guidance": g}}"""
import json
import math
import sys

import torch


def shifted_sigmas(steps, mu):
    # t = linspace(1, 0, steps+1) in float32; sigma = e^mu / (e^mu + (1/t - 1)).
    t = torch.linspace(1, 0, steps + 1, dtype=torch.float32)
    return math.exp(mu) / (math.exp(mu) + (1 / t - 1))


def gaussian_denoiser(mean, std):
    # Exact E[x0 | x_sigma] for independent Gaussian data, evaluated in float64, returned as float32.
    m = mean.double()
    s2 = std.double() ** 2

    def model(x, sigma):
        a = 1.0 - float(sigma)
        gain = a * s2 / (a * a * s2 + float(sigma) ** 2)
        return (m + gain * (x.double() - a * m)).float()

    return model


def unipc_update(model, x, hist_m, hist_t, t, order, variant):
    """One UniPC predictor-corrector step from hist_t[-1] to t (data prediction, lambda = -ln sigma)."""
    s = hist_t[-1]
    m_s = hist_m[-1]
    lam_s = -torch.log(s)
    h = -torch.log(t) - lam_s
    r = []
    diffs = []
    for j in range(1, order):
        r_j = (-torch.log(hist_t[-1 - j]) - lam_s) / h
        r.append(r_j)
        diffs.append((hist_m[-1 - j] - m_s) / r_j)
    r_all = torch.stack(r + [torch.ones((), dtype=torch.float32)])
    hh = -h
    phi1 = torch.expm1(hh)
    if variant == "bh1":
        b_h = hh
    elif variant == "bh2":
        b_h = torch.expm1(hh)
    else:
        raise ValueError(variant)
    rows, rhs = [], []
    g = phi1 / hh - 1
    fact = 1.0
    for n in range(1, order + 1):
        rows.append(r_all ** (n - 1))
        rhs.append(g * fact / b_h)
        fact *= n + 1
        g = g / hh - 1 / fact
    R = torch.stack(rows)
    b = torch.stack(rhs)
    if order == 1:
        rho_p = None
        rho_c = torch.tensor([0.5])
    else:
        rho_p = torch.tensor([0.5]) if order == 2 else torch.linalg.solve(R[:-1, :-1], b[:-1])
        rho_c = torch.linalg.solve(R, b)
    base = (t / s) * x - phi1 * m_s
    x_pred = base
    if rho_p is not None:
        x_pred = base - b_h * sum(rho_p[j] * diffs[j] for j in range(order - 1))
    m_t = model(x_pred, t)
    corr = sum((rho_c[j] * diffs[j] for j in range(order - 1)), torch.zeros_like(x))
    x_new = base - b_h * (corr + rho_c[-1] * (m_t - m_s))
    return x_new, m_t


def unipc_sample(model, x, sigmas, variant):
    order = min(3, len(sigmas) - 2)
    hist_m, hist_t, xs = [], [], []
    for i in range(len(sigmas) - 1):
        t = sigmas[i]
        if i == 0:
            hist_m, hist_t = [model(x, t)], [t]
        else:
            x, m = unipc_update(model, x, hist_m, hist_t, t, min(i, order), variant)
            hist_m.append(m)
            hist_t.append(t)
        if order > 0:
            hist_m, hist_t = hist_m[-order:], hist_t[-order:]
        xs.append(x.tolist())
    return xs, hist_m[-1]


def guided_x0(req):
    x = torch.tensor(req["x"], dtype=torch.float32)
    sigma = torch.tensor(req["sigma"], dtype=torch.float32)
    xb = x.to(torch.bfloat16)
    timestep = (sigma * 1000.0).to(torch.bfloat16)
    guidance = torch.tensor([req["gs"] * 1000.0]).to(torch.bfloat16)
    xf = xb.float()
    # Synthetic transformer branches (the TS test uses the same formulas).
    v_pos = (0.5 * xf - 0.125 * xf * xf + 0.25 * sigma).float()
    v_neg = (0.75 * xf + 0.0625).float()
    cfg, rs = req["cfg"], req["rs"]
    v = v_neg + cfg * (v_pos - v_neg) if cfg != 1 else v_pos.clone()
    if rs != 0:
        ratio = v_pos.std() / v.std()
        v = rs * (v * ratio) + (1 - rs) * v
    x0 = xf - v * sigma
    return {"x0": x0.tolist(), "timestep": float(timestep), "guidance": float(guidance[0])}


def main():
    req = json.load(sys.stdin)
    res = {}
    if "sigma_cases" in req:
        res["sigmas"] = [shifted_sigmas(n, mu).tolist() for n, mu in req["sigma_cases"]]
    if "unipc" in req:
        u = req["unipc"]
        model = gaussian_denoiser(torch.tensor(u["mean"]), torch.tensor(u["std"]))
        z = torch.tensor(u["z"], dtype=torch.float32)
        sig = torch.tensor(u["sigmas"], dtype=torch.float32)
        res["unipc"] = {}
        for variant in u["variants"]:
            xs, out = unipc_sample(model, z.clone(), sig, variant)
            res["unipc"][variant] = {"xs": xs, "out": out.tolist()}
    if "guidance" in req:
        res["guidance"] = guided_x0(req["guidance"])
    json.dump(res, sys.stdout)


if __name__ == "__main__":
    with torch.no_grad():
        main()
