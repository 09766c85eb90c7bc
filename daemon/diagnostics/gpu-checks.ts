// GPUs as nvidia-smi reports them: one check per device with name, driver, CUDA version, compute
// capability and VRAM, judged against what FramePack needs (PEERS.md §B1/§B2/§B18): bf16 needs
// compute capability ≥ 8.0, onnxruntime-node 1.30's CUDA provider needs a CUDA 12 driver, and the
// selected bundle's largest component should fit in free VRAM. No nvidia-smi = CPU mode (ok).
import type { Manifest } from '../models/bundle/manifest.js';
import type { GpuInfo, GpuQuery } from '../telemetry/nvidia-smi.js';
import { fail, gib, MiB, ok, warn, type Check } from './check.js';
import { bundleFootprint } from './system-checks.js';

/** bf16 arithmetic (the official FramePack weights' dtype) needs Ampere or newer. */
export const BF16_MIN_COMPUTE = 8.0;
/** onnxruntime-node 1.30's CUDA provider is built against CUDA 12. */
export const CUDA_MAJOR_REQUIRED = 12;

export function gpuChecks(query: GpuQuery, manifest: Manifest | null): Check[] {
  if (!query.available) {
    if (query.reason === 'not-found') return [ok('gpu', 'no NVIDIA GPU (nvidia-smi not found): CPU mode', { reason: query.reason })];
    return [warn('gpu', `nvidia-smi is present but failed: ${query.detail}`, 'check the NVIDIA driver (`nvidia-smi` should list your GPUs; reinstall or reboot after a driver update)', { reason: query.reason, detail: query.detail })];
  }
  if (query.gpus.length === 0) return [warn('gpu', 'nvidia-smi lists no GPUs', 'check that the GPU is visible to this machine or container (e.g. docker --gpus all)')];
  const checks = query.gpus.map((g) => gpuCheck(g, query.cudaVersion, manifest));
  if (query.gpus.length > 1) {
    checks.push(ok('gpu.count', `${query.gpus.length} GPUs; framepack uses one (set CUDA_VISIBLE_DEVICES to choose)`, { count: query.gpus.length }));
  }
  return checks;
}

function gpuCheck(g: GpuInfo, cudaVersion: string | null, manifest: Manifest | null): Check {
  const id = `gpu.${g.index}`;
  const cc = g.computeCapability === null ? null : Number(g.computeCapability);
  const parts = [
    g.name, `driver ${g.driverVersion}`, `CUDA ${cudaVersion ?? 'unknown'}`,
    `compute ${g.computeCapability ?? 'unknown'}${cc === null ? '' : cc >= BF16_MIN_COMPUTE ? ' (bf16 ok)' : ' (no bf16)'}`,
    `VRAM ${(g.freeMiB / 1024).toFixed(1)} of ${(g.totalMiB / 1024).toFixed(1)} GiB free`,
  ];
  const finding = parts.join(', ');
  const details: Record<string, unknown> = { ...g, cudaVersion, bf16: cc === null ? null : cc >= BF16_MIN_COMPUTE };
  const cudaMajor = cudaVersion ? Number(cudaVersion.split('.')[0]) : null;
  if (cudaMajor !== null && cudaMajor < CUDA_MAJOR_REQUIRED) {
    return fail(id, `${finding}: the driver supports only CUDA ${cudaVersion}; the CUDA provider needs ${CUDA_MAJOR_REQUIRED}`, `update the NVIDIA driver to one for CUDA ${CUDA_MAJOR_REQUIRED} (≥ 525 on Linux), or run on the CPU`, details);
  }
  if (cc === null) {
    return warn(id, `${finding}: the driver does not report the compute capability`, 'update the NVIDIA driver (≥ 525) so bf16 support can be checked', details);
  }
  if (cc < BF16_MIN_COMPUTE) {
    return warn(id, `${finding}: compute ${g.computeCapability} < 8.0 has no bf16 (the official weights' dtype)`, 'import the weights as fp16 or fp32 (`framepack models import --dtype fp16`); framepack never computes in bf16', details);
  }
  if (manifest) {
    const f = bundleFootprint(manifest);
    details.largestComponentBytes = f.largestBytes;
    if (g.freeMiB * MiB < f.largestBytes) {
      return warn(id, `${finding}: ${manifest.name}'s ${f.largest} needs ≈${gib(f.largestBytes)}, more than the free VRAM`, 'close other GPU programs, or use a smaller bucket or bundle; otherwise it runs from system memory (slow)', details);
    }
  }
  return ok(id, finding, details);
}
