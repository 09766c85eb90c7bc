// Memory telemetry while a job runs: nvidia-smi is polled (pollGpu) for each GPU's used/free/total
// and this daemon's own VRAM, host RAM and RSS are read beside it, and the resident components'
// estimated bytes (the bundle manifest's figures, as the scheduler holds them) are attached so the
// dashboard can show measured against expected. nvidia-smi missing is CPU mode: RAM only, and the
// poll carries on without it; failing or unparseable output is reported in gpuError, not thrown.
import os from 'node:os';
import type { ComponentEstimate, ComponentStatus, DeviceMemory, MemoryTelemetry } from '../../shared/protocol/index.js';
import { pollGpu, type GpuSample, type NvidiaSmiOptions } from './nvidia-smi.js';

export const JOB_TELEMETRY_INTERVAL_MS = 1_000;
const MiB = 1024 ** 2;

export interface HostMemory { rssBytes: number; ramUsedBytes: number; ramTotalBytes: number }

export function readHostMemory(): HostMemory {
  const total = os.totalmem();
  return { rssBytes: process.memoryUsage.rss(), ramUsedBytes: total - os.freemem(), ramTotalBytes: total };
}

/** Loaded (or loading) components with the bytes they are expected to hold on their device. */
export function componentEstimates(components: readonly ComponentStatus[]): ComponentEstimate[] {
  return components
    .filter((c) => c.state === 'loaded' || c.state === 'loading')
    .map((c) => ({ model: c.model, component: c.component, device: c.device ?? 'cpu', estimatedBytes: c.device === 'cpu' || c.device === null ? c.ramBytes : c.vramBytes }));
}

/** One telemetry payload from an nvidia-smi sample (or none: CPU mode) and the host readings. */
export function telemetryFrom(sample: GpuSample | null, host: HostMemory, components: readonly ComponentStatus[], at: Date = new Date()): MemoryTelemetry {
  const base = { at: at.toISOString(), ...host, components: componentEstimates(components) };
  if (!sample || (!sample.gpus.available && sample.gpus.reason === 'not-found')) return { ...base, vram: [], gpu: 'cpu' };
  if (!sample.gpus.available) return { ...base, vram: [], gpu: 'error', gpuError: sample.gpus.detail.slice(0, 1000) };
  const proc = sample.process;
  const vram: DeviceMemory[] = sample.gpus.gpus.map((g) => ({
    device: `cuda:${g.index}`,
    name: g.name.slice(0, 256),
    usedBytes: g.usedMiB * MiB,
    totalBytes: g.totalMiB * MiB,
    freeBytes: g.freeMiB * MiB,
    // null = the driver did not answer --query-compute-apps; 0 = it did and this process holds nothing there.
    processBytes: proc ? proc.perGpu.filter((p) => p.uuid === g.uuid).reduce((a, p) => a + p.usedMiB, 0) * MiB : null,
  }));
  return { ...base, vram, gpu: 'gpu' };
}

export interface JobTelemetryOptions {
  publish: (t: MemoryTelemetry) => void;
  components: () => readonly ComponentStatus[];
  intervalMs?: number;
  nvidiaSmi?: NvidiaSmiOptions;
}

/** Started when the job service goes busy, stopped when it goes idle. */
export class JobTelemetry {
  private poll: { stop(): void } | null = null;
  private ramTimer: NodeJS.Timeout | null = null;
  private noGpu = false;
  private probes = 0;

  constructor(private readonly o: JobTelemetryOptions) {}

  get active(): boolean {
    return this.poll !== null || this.ramTimer !== null;
  }

  start(): void {
    if (this.active) return;
    const interval = this.o.intervalMs ?? JOB_TELEMETRY_INTERVAL_MS;
    // nvidia-smi was not found before: no new probe (a process spawn) on every job start.
    if (this.noGpu) {
      const ram = () => this.o.publish(telemetryFrom(null, readHostMemory(), this.o.components()));
      this.ramTimer = setInterval(ram, interval);
      this.ramTimer.unref();
      setImmediate(() => { if (this.ramTimer) ram(); });
      return;
    }
    this.probes++;
    this.poll = pollGpu(interval, (s) => {
      this.o.publish(telemetryFrom(s, readHostMemory(), this.o.components()));
      if (!s.gpus.available && s.gpus.reason === 'not-found' && this.poll) {
        // CPU mode: pollGpu has stopped; RAM is still worth watching.
        this.noGpu = true;
        this.poll = null;
        this.ramTimer = setInterval(() => this.o.publish(telemetryFrom(null, readHostMemory(), this.o.components())), interval);
        this.ramTimer.unref();
      }
    }, this.o.nvidiaSmi ?? {});
  }

  /** nvidia-smi polls started (one per job start until it is known to be absent). */
  get gpuProbes(): number {
    return this.probes;
  }

  stop(): void {
    this.poll?.stop();
    this.poll = null;
    if (this.ramTimer) clearInterval(this.ramTimer);
    this.ramTimer = null;
  }
}
