#!/usr/bin/env bash
# The device probe, on a bare x86-64 GPU machine (no network, no Node): unpack what pack.ts packed,
# make Debian's Vulkan loader and libglvnd loadable without installing them (dpkg -x +
# LD_LIBRARY_PATH), point the loader at the NVIDIA ICD, build a bundle there with cheap weights,
# then for WebGPU (and CUDA when its provider library is supplied) run the graphs bench, one
# section of the 5 s job and fp16 MatMul vs 4-bit MatMulNBits; results as JSON in RESULTS_DIR.
#
#   ./run.sh RESULTS_DIR [--providers "webgpu cuda"] [--preset fullwidth|tiny] [--dual N] [--single N]
#            [--llama-layers N] [--bucket 640x608] [--steps 25] [--runs 3] [--matmul M,K,N] [--stage-timeout S]
#
# Env: VK_DRIVER_FILES (default: /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json, else
# /usr/share/vulkan/icd.d/*nvidia*), CUDA_EP_DIR (a folder with libonnxruntime_providers_{shared,cuda}.so
# to try CUDA too), FRAMEPACK_DEVICE_WORK (scratch folder; default ./work beside this script).
set -euo pipefail

usage() { sed -n '8,14p' "$0" | sed 's/^# \{0,1\}//'; }
[[ $# -ge 1 && $1 != -* ]] || { usage >&2; exit 2; }
RESULTS=$(mkdir -p "$1" && cd "$1" && pwd); shift
PROVIDERS="webgpu cuda"; PRESET=fullwidth; DUAL=2; SINGLE=2; LLAMA=4; BUCKET=640x608; STEPS=25; RUNS=3
MATMUL=17408,3072,3072; STAGE_TIMEOUT=300
while [[ $# -gt 0 ]]; do
  case $1 in
    --providers) PROVIDERS=$2; shift 2 ;;
    --preset) PRESET=$2; shift 2 ;;
    --dual) DUAL=$2; shift 2 ;;
    --single) SINGLE=$2; shift 2 ;;
    --llama-layers) LLAMA=$2; shift 2 ;;
    --bucket) BUCKET=$2; shift 2 ;;
    --steps) STEPS=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --matmul) MATMUL=$2; shift 2 ;;
    --stage-timeout) STAGE_TIMEOUT=$2; shift 2 ;;
    *) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${FRAMEPACK_DEVICE_WORK:-$HERE/work}
mkdir -p "$WORK/bin" "$WORK/app/node_modules" "$WORK/root"
LOG="$RESULTS/run.log"
say() { echo "[$(date -u +%H:%M:%S)] $*" | tee -a "$LOG" >&2; }
started=$(date +%s)

# xz from xz-utils when present, else Python's lzma (one of the two is on most images).
unxz_to() {
  if command -v xz >/dev/null; then xz -dc "$1" > "$2"
  elif command -v python3 >/dev/null; then python3 -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"
  else echo "run.sh: neither xz nor python3 to unpack $1" >&2; exit 1; fi
}

say "unpacking into $WORK"
[[ -x $WORK/bin/node ]] || { unxz_to "$HERE/node.xz" "$WORK/bin/node.part" && chmod +x "$WORK/bin/node.part" && mv "$WORK/bin/node.part" "$WORK/bin/node"; }
if [[ ! -d $WORK/app/node_modules/onnxruntime-node ]]; then
  unxz_to "$HERE/ort.tar.xz" "$WORK/ort.tar" && tar -xf "$WORK/ort.tar" -C "$WORK/app/node_modules" && rm -f "$WORK/ort.tar"
fi
cp "$HERE/probe.mjs" "$WORK/app/probe.mjs"
for deb in "$HERE"/debs/*.deb; do
  if command -v dpkg-deb >/dev/null; then dpkg-deb -x "$deb" "$WORK/root"
  else tmpd=$(mktemp -d) && (cd "$tmpd" && ar x "$deb") && tar -xf "$tmpd"/data.tar.* -C "$WORK/root" && rm -rf "$tmpd"; fi
done
export LD_LIBRARY_PATH="$WORK/root/usr/lib/x86_64-linux-gnu:$WORK/root/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
if [[ -z ${VK_DRIVER_FILES:-} ]]; then
  if [[ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]]; then VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  else VK_DRIVER_FILES=$(ls /usr/share/vulkan/icd.d/*nvidia*.json /etc/vulkan/icd.d/*nvidia*.json 2>/dev/null | head -1 || true); fi
fi
[[ -n ${VK_DRIVER_FILES:-} ]] && export VK_DRIVER_FILES
if [[ -n ${CUDA_EP_DIR:-} ]]; then cp "$CUDA_EP_DIR"/libonnxruntime_providers_*.so "$WORK/app/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/"; fi
NODE="$WORK/bin/node"; PROBE="$WORK/app/probe.mjs"
say "node $("$NODE" --version), LD_LIBRARY_PATH=$LD_LIBRARY_PATH, VK_DRIVER_FILES=${VK_DRIVER_FILES:-unset}"
command -v nvidia-smi >/dev/null && nvidia-smi -q > "$RESULTS/nvidia-smi.txt" 2>&1 || true

# What the Vulkan stack and the providers look like from here (doctor's probe and diagnosis).
timeout "$STAGE_TIMEOUT" "$NODE" "$PROBE" env > "$RESULTS/env.json" 2>>"$LOG" || say "env probe failed (see run.log)"

say "building a $PRESET bundle (fp16, cheap weights)"
BUNDLE="$WORK/bundle-$PRESET-${DUAL}d${SINGLE}s"
if [[ ! -f $BUNDLE/manifest.json ]]; then
  timeout "$STAGE_TIMEOUT" "$NODE" "$PROBE" build --out "$BUNDLE" --preset "$PRESET" --dual "$DUAL" --single "$SINGLE" --llama-layers "$LLAMA" \
    --dtype fp16 --tokenizers "$HERE/tokenizers" > "$RESULTS/build.json" 2>>"$LOG"
fi

status=0
for p in $PROVIDERS; do
  if [[ $p == cuda && ! -f $WORK/app/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so ]]; then
    say "cuda: skipped (no CUDA provider library; set CUDA_EP_DIR to a folder with libonnxruntime_providers_{shared,cuda}.so)"
    echo "{\"provider\":\"cuda\",\"skipped\":\"no CUDA provider library (CUDA_EP_DIR unset)\"}" > "$RESULTS/cuda.json"
    continue
  fi
  say "$p: graphs bench, one section, MatMul vs MatMulNBits at $BUCKET"
  if ! timeout "$STAGE_TIMEOUT" "$NODE" "$PROBE" run --bundle "$BUNDLE" --out "$RESULTS" --provider "$p" --bucket "$BUCKET" \
       --steps "$STEPS" --runs "$RUNS" --matmul "$MATMUL" >>"$LOG" 2>&1; then
    say "$p: run failed or timed out (${STAGE_TIMEOUT} s); partial results in $RESULTS/$p.json if any"
    status=1
  fi
done
say "done in $(( $(date +%s) - started )) s; results in $RESULTS"
exit $status
