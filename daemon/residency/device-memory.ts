// What the device can give a new job, for the memory plan: on a GPU its total and free VRAM
// (nvidia-smi), on the CPU host RAM — the OS's available memory, capped by the cgroup limit when
// the daemon runs in one (a container's limit is what the kernel's OOM killer enforces, not the
// host's total). Components this daemon already holds count as available, since the job reuses
// or evicts them; the preserved headroom never is.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { readVram } from './memory.js';

export interface DeviceReading {
  device: string;
  totalBytes: number;
  freeBytes: number;
}

/** cgroup v2 (memory.max, memory.current) or v1 (memory.limit_in_bytes, memory.usage_in_bytes); null without a limit. */
export function parseCgroupMemory(limitText: string | null, usageText: string | null): { limitBytes: number; usageBytes: number } | null {
  if (limitText === null || usageText === null) return null;
  const limit = Number(limitText.trim());
  const usage = Number(usageText.trim());
  // 'max' (v2) or a huge page-rounded number (v1, ~2^63) mean no limit.
  if (!Number.isFinite(limit) || !Number.isFinite(usage) || limit >= 2 ** 60) return null;
  return { limitBytes: limit, usageBytes: usage };
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function readCgroupMemory(): { limitBytes: number; usageBytes: number } | null {
  return parseCgroupMemory(readText('/sys/fs/cgroup/memory.max'), readText('/sys/fs/cgroup/memory.current'))
    ?? parseCgroupMemory(readText('/sys/fs/cgroup/memory/memory.limit_in_bytes'), readText('/sys/fs/cgroup/memory/memory.usage_in_bytes'));
}

/** Host RAM as the device: os.freemem (MemAvailable), capped by the cgroup's remaining bytes. */
export function readRamDevice(): DeviceReading {
  const cg = readCgroupMemory();
  const total = cg ? Math.min(cg.limitBytes, os.totalmem()) : os.totalmem();
  const free = cg ? Math.min(os.freemem(), Math.max(0, cg.limitBytes - cg.usageBytes)) : os.freemem();
  return { device: 'cpu', totalBytes: total, freeBytes: free };
}

/** The first GPU when the engine runs on one (FRAMEPACK_EP=cuda) and nvidia-smi answers; else host RAM. */
export async function readDevice(onGpu: boolean): Promise<DeviceReading> {
  if (onGpu) {
    const gpu = (await readVram())[0];
    if (gpu) return { device: gpu.device, totalBytes: gpu.totalBytes, freeBytes: Math.max(0, gpu.totalBytes - gpu.usedBytes) };
  }
  return readRamDevice();
}

/**
 * Bytes a job may use: what is free now plus what this daemon already holds (reused or evicted),
 * never more than the budget (total, or the configured --device-memory, less the preserved headroom).
 */
export function availableForJob(r: DeviceReading, opts: { preserveBytes: number; heldBytes: number; deviceMemoryBytes?: number }): number {
  const total = opts.deviceMemoryBytes && opts.deviceMemoryBytes > 0 ? opts.deviceMemoryBytes : r.totalBytes;
  const budget = total - opts.preserveBytes;
  return Math.max(0, Math.min(budget, r.freeBytes + opts.heldBytes));
}
