// `npm run bench -- daemon`: a real daemon process on a temp runtime/data dir, measured from
// outside as a client sees it: a cold first job (models load) against a warm second job (models
// resident) — time from submit to the first sampler step, and to the terminal event — and the
// round-trip latency of daemon.status (p50/p99) while a job runs.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { daemonCommand } from '../../daemon/cli/daemon-client.js';
import { ensureDaemon } from '../../shared/ipc/ensure-daemon.js';
import type { RpcClient } from '../../shared/ipc/rpc-client.js';
import type { EventMessage } from '../../shared/protocol/index.js';

export interface DaemonBenchOptions {
  engine: 'onnx' | 'fake';
  seconds: number;
  steps: number;
  /** daemon.status calls timed while the second job runs. */
  pings: number;
  /** Warm jobs after the cold one (their median is the warm figure; default 5). */
  warmJobs?: number;
}

export type DaemonBenchRow =
  /** submitToSamplingMs: to the 'sample' stage event — the daemon's own start overhead, without the first step's compute. */
  | { type: 'job'; run: 'cold' | 'warm'; engine: string; submitToFirstStepMs: number; submitToSamplingMs: number; totalMs: number; modelLoads: number }
  | { type: 'summary'; coldFirstStepMs: number; warmJobs: number; warmMedianFirstStepMs: number; warmOverCold: number; warmMedianToSamplingMs: number }
  | { type: 'latency'; method: 'daemon.status'; whileRunning: true; samples: number; p50Ms: number; p99Ms: number; maxMs: number };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function runJob(client: RpcClient, spec: object, onRunning?: () => Promise<void>) {
  const events: EventMessage[] = [];
  let notify = () => {};
  // Stamped on arrival, so the pings below cannot delay the measurement.
  let firstStepAt: number | null = null;
  let samplingAt: number | null = null;
  const sub = await client.subscribe({ topics: ['jobs', 'models'] }, { onEvent: (e) => {
    if (e.event === 'step' && firstStepAt === null) firstStepAt = performance.now();
    if (e.event === 'stage' && e.payload.stage === 'sample' && samplingAt === null) samplingAt = performance.now();
    events.push(e);
    notify();
  } });
  const t0 = performance.now();
  const { jobId } = await client.call('jobs.submit', spec as never);
  let pinged = false;
  for (;;) {
    const terminal = events.find((e) => (e.event === 'job.succeeded' || e.event === 'job.failed' || e.event === 'job.cancelled') && e.payload.jobId === jobId);
    if (terminal) {
      await sub.close();
      if (terminal.event !== 'job.succeeded') throw new Error(`bench job ended with ${terminal.event}: ${JSON.stringify(terminal.payload)}`);
      return { firstStepMs: firstStepAt === null ? NaN : (firstStepAt as number) - t0, samplingMs: samplingAt === null ? NaN : (samplingAt as number) - t0, totalMs: performance.now() - t0, modelLoads: events.filter((e) => e.event === 'model.loaded').length };
    }
    if (!pinged && onRunning && events.some((e) => e.event === 'job.started' && e.payload.jobId === jobId)) {
      pinged = true;
      await onRunning();
      continue;
    }
    await new Promise<void>((r) => { notify = r; setTimeout(r, 20); });
  }
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export async function benchDaemon(o: DaemonBenchOptions, onRow: (row: DaemonBenchRow) => void): Promise<void> {
  const base = mkdtempSync(path.join(os.tmpdir(), 'fpb-'));
  const env = { ...process.env, FRAMEPACK_RUNTIME_DIR: path.join(base, 'rt'), FRAMEPACK_DATA_DIR: path.join(base, 'data'), FRAMEPACK_CONFIG_DIR: path.join(base, 'config'), FRAMEPACK_ENGINE: o.engine,
    // The fake engine's footprints are those of the real fp16 model: give it an 80 GB device.
    ...(o.engine === 'fake' ? { FRAMEPACK_DEVICE_MEMORY: '80' } : {}) };
  const image = path.join(base, 'start.png');
  const w = 640, h = 480;
  const rgb = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i++) rgb.set([(i * 7) % 256, (i >> 3) % 256, (i * 29) % 256], i * 3);
  await sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).png().toFile(image);
  const { client } = await ensureDaemon({
    socketFile: path.join(base, 'rt', 'fp.sock'), client: { name: 'bench' }, spawn: daemonCommand([], env),
    logFile: path.join(base, 'data', 'daemon.log'), requestTimeoutMs: 0,
  });
  try {
    const spec = { image, prompt: 'a benchmark', seconds: o.seconds, steps: o.steps, seed: 1 };
    const warmJobs = o.warmJobs ?? 5;
    let cold = NaN;
    const warm: number[] = [];
    const warmSampling: number[] = [];
    for (let j = 0; j <= warmJobs; j++) {
      const run = j === 0 ? 'cold' : 'warm';
      const latencies: number[] = [];
      // Pings only during the first warm job, so the other warm jobs time submit → first step alone.
      const r = await runJob(client, { ...spec, seed: j + 1 }, j === 1 ? async () => {
        for (let i = 0; i < o.pings; i++) {
          const t = performance.now();
          await client.call('daemon.status', {});
          latencies.push(performance.now() - t);
        }
      } : undefined);
      if (run === 'cold') cold = r.firstStepMs;
      else { warm.push(r.firstStepMs); warmSampling.push(r.samplingMs); }
      onRow({ type: 'job', run, engine: o.engine, submitToFirstStepMs: Math.round(r.firstStepMs), submitToSamplingMs: Math.round(r.samplingMs), totalMs: Math.round(r.totalMs), modelLoads: r.modelLoads });
      if (latencies.length) {
        const sorted = [...latencies].sort((a, b) => a - b);
        const round = (x: number) => Math.round(x * 100) / 100;
        onRow({ type: 'latency', method: 'daemon.status', whileRunning: true, samples: sorted.length, p50Ms: round(percentile(sorted, 50)), p99Ms: round(percentile(sorted, 99)), maxMs: round(sorted.at(-1)!) });
      }
    }
    if (warm.length) {
      const m = median(warm);
      onRow({ type: 'summary', coldFirstStepMs: Math.round(cold), warmJobs: warm.length, warmMedianFirstStepMs: Math.round(m), warmOverCold: Math.round((m / cold) * 1000) / 1000, warmMedianToSamplingMs: Math.round(median(warmSampling)) });
    }
  } finally {
    await client.call('daemon.shutdown', { force: true }).catch(() => undefined);
    client.close();
    await new Promise((r) => setTimeout(r, 300));
    rmSync(base, { recursive: true, force: true });
  }
}
