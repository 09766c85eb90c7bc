// The memory budget and telemetry (ARCHITECTURE.md §6): how many bytes resident components may
// hold on the device — its total minus the preserved headroom (`--preserve-vram`, default 6 GB as
// the official demo's `gpu_memory_preservation`) — and the RAM/VRAM readings the daemon reports.
// VRAM comes from nvidia-smi when present; RAM/RSS always.
import { execFile } from 'node:child_process';
import os from 'node:os';
import type { DeviceMemory, MemoryTelemetry } from '../../shared/protocol/index.js';
import type { ComponentFootprint } from '../engine/engine.js';

export const GB = 1024 ** 3;
/** The official demo keeps 6 GB of VRAM free for activations. */
export const DEFAULT_PRESERVE_VRAM_BYTES = 6 * GB;
const NVIDIA_SMI_TIMEOUT_MS = 2_000;

/** Bytes a component counts against the budget: its VRAM on a GPU, its RAM on the CPU. */
export function budgetedBytes(f: ComponentFootprint): number {
  return f.device === 'cpu' ? f.ramBytes : f.vramBytes;
}

/** Bytes resident components may hold: device total minus the preserved headroom (never negative). */
export function budgetBytes(deviceTotalBytes: number, preserveBytes: number): number {
  return Math.max(0, deviceTotalBytes - preserveBytes);
}

/** Parse `nvidia-smi --query-gpu=index,name,memory.used,memory.total --format=csv,noheader,nounits` (MiB). */
export function parseNvidiaSmi(csv: string): DeviceMemory[] {
  const out: DeviceMemory[] = [];
  for (const line of csv.split('\n')) {
    const parts = line.split(',').map((s) => s.trim());
    if (parts.length < 4) continue;
    const [index, name, used, total] = parts as [string, string, string, string];
    const usedMiB = Number(used);
    const totalMiB = Number(total);
    if (!Number.isFinite(usedMiB) || !Number.isFinite(totalMiB)) continue;
    out.push({ device: `cuda:${index}`, name, usedBytes: usedMiB * 1024 ** 2, totalBytes: totalMiB * 1024 ** 2, processBytes: null });
  }
  return out;
}

/** GPUs as nvidia-smi reports them; [] when it is absent or fails. */
export function readVram(): Promise<DeviceMemory[]> {
  return new Promise((resolve) => {
    execFile(
      'nvidia-smi',
      ['--query-gpu=index,name,memory.used,memory.total', '--format=csv,noheader,nounits'],
      { timeout: NVIDIA_SMI_TIMEOUT_MS },
      (err, stdout) => resolve(err ? [] : parseNvidiaSmi(stdout)),
    );
  });
}

/** One telemetry reading. */
export async function readTelemetry(now: Date = new Date()): Promise<MemoryTelemetry> {
  const total = os.totalmem();
  return {
    at: now.toISOString(),
    rssBytes: process.memoryUsage.rss(),
    ramUsedBytes: total - os.freemem(),
    ramTotalBytes: total,
    vram: await readVram(),
  };
}
