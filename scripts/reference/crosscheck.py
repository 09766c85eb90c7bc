"""Cross-check entry point: runs an independent PyTorch implementation on the same weights and
inputs as the ONNX graphs and reports the max abs error per output as one JSON line.

  /usr/bin/python3 scripts/reference/crosscheck.py <module> <dir>

<dir> holds weights.safetensors, inputs.safetensors (graph inputs), outputs.safetensors (ORT's
outputs) and config.json. <module> is a file in this folder exposing
`reference(config, weights, inputs) -> {output_name: tensor}`."""
import importlib
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import st  # noqa: E402


def main():
    module, d = sys.argv[1], sys.argv[2]
    torch.manual_seed(0)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    mod = importlib.import_module(module)
    config = json.load(open(os.path.join(d, "config.json")))
    weights = st.load(os.path.join(d, "weights.safetensors"))
    inputs = st.load(os.path.join(d, "inputs.safetensors"))
    expected = st.load(os.path.join(d, "outputs.safetensors"))
    with torch.no_grad():
        got = mod.reference(config, weights, inputs)
    report = {}
    for name, onnx_out in expected.items():
        if name not in got:
            report[name] = {"error": "reference produced no output named %s" % name}
            continue
        ref = got[name].to(torch.float32)
        if list(ref.shape) != list(onnx_out.shape):
            report[name] = {"error": "shape %s vs onnx %s" % (list(ref.shape), list(onnx_out.shape))}
            continue
        diff = (ref - onnx_out.to(torch.float32)).abs()
        report[name] = {"maxAbsErr": float(diff.max()), "refMaxAbs": float(ref.abs().max())}
    print(json.dumps(report))


if __name__ == "__main__":
    main()
