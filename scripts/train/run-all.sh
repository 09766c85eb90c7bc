#!/usr/bin/env bash
# The whole training run, resumable: every stage skips or resumes what RUN already holds.
#   scripts/train/run-all.sh RUN [CONFIG] [OUT_BUNDLE]
# e.g. scripts/train/run-all.sh /tmp/fpt/run scripts/train/config.json /tmp/fpt/bundle
# then `npm run make-default-bundle -- --from /tmp/fpt/run/export` makes the result the default bundle.
# TRAIN_THREADS (default 2) sets torch's thread count; TRAIN_WORKERS (default 2) the transformer
# stage's data-parallel processes, which share those threads (same result with any count).
# Install libopenblas0-pthread first: Debian's torch otherwise runs its matmuls on the reference BLAS,
# about 7x slower here (docs/training.md); the training scripts give it one thread per process.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUN=${1:?usage: run-all.sh RUN [CONFIG] [OUT_BUNDLE]}
CONFIG=${2:-scripts/train/config.json}
OUT=${3:-/tmp/framepack-tiny-trained}
PY=/usr/bin/python3
BUNDLE=$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['bundle'])" "$CONFIG")
mkdir -p "$RUN"
# The transformer's initial weights follow the config's architecture overrides ("components").
COMPONENTS=$($PY -c "import json,sys; print(json.dumps(json.load(open(sys.argv[1])).get('components', {})))" "$CONFIG")
[ -f "$RUN/seeded/transformer.safetensors" ] || npx tsx scripts/train/seeded-weights.ts --out "$RUN/seeded" --components "$COMPONENTS"
if [ ! -f "$RUN/conditions.safetensors" ]; then
  $PY scripts/train/data.py --dump "$RUN/cond-in" "$CONFIG"
  npx tsx scripts/train/encode-conditions.ts --bundle "$BUNDLE" --in "$RUN/cond-in" --out "$RUN/conditions.safetensors"
fi
$PY scripts/train/train_vae.py --config "$CONFIG" --run "$RUN"
$PY scripts/train/train_transformer.py --config "$CONFIG" --run "$RUN" --init "$RUN/seeded/transformer.safetensors" --workers "${TRAIN_WORKERS:-2}"
$PY scripts/train/export.py --config "$CONFIG" --run "$RUN" --out "$OUT"
