// Sample protocol data for the dashboard's tests: jobs in every state, events as the daemon emits
// them, models and telemetry. Built through the protocol schemas, so a schema change breaks here.
import { checkSetting, settingInfo } from '../../shared/settings/user-settings.js';
import type { UserSettingsStore } from '../../tui/settings/user-store.js';
import { JobSpec, type EventMessage, type EventName, type EventPayload, type Job, type JobSpecInput, type ModelStatus, type Snapshot } from '../../shared/protocol/index.js';

export const T0 = '2026-11-28T03:00:00.000Z';

export function job(id: string, over: Partial<Job> = {}, spec: Partial<JobSpecInput> = {}): Job {
  return {
    id,
    spec: JobSpec.parse({ image: '/tmp/in.png', prompt: 'a cat', ...spec }),
    state: 'queued',
    position: 0,
    createdAt: T0,
    startedAt: null,
    finishedAt: null,
    progress: null,
    cancelRequested: null,
    outputPath: null,
    partialPath: null,
    error: null,
    timing: null,
    ...over,
  };
}

let seq = 0;
export function ev<E extends EventName>(event: E, payload: EventPayload<E>): EventMessage {
  return { event, seq: ++seq, payload } as EventMessage;
}

export const timing = { totalMs: 4000, queuedMs: 0, loadMs: 100, encodeMs: 50, sectionSampleMs: [1000, 1000], decodeMs: 10, muxMs: 5, peakVramBytes: null, peakRamBytes: null };

export function models(): ModelStatus[] {
  return [
    {
      name: 'framepack-tiny',
      available: true,
      components: (['text-encoder', 'vae', 'transformer'] as const).map((component) => ({
        model: 'framepack-tiny', component, state: 'unloaded' as const, device: null, vramBytes: 0, ramBytes: 0, keepAliveMs: 300_000, expiresAt: null, leases: 0,
      })),
    },
  ];
}

export function snapshot(jobs: Job[] = [], over: Partial<Snapshot> = {}): Snapshot {
  return { jobs, queue: { paused: false, queued: jobs.filter((j) => j.state === 'queued').length, running: null, limit: 64 }, models: models(), memory: null, ...over };
}

/** The events of one inverted job of `total` sections and `steps` steps, start to success. */
export function runEvents(jobId: string, total: number, steps: number): EventMessage[] {
  const out: EventMessage[] = [ev('job.started', { jobId, startedAt: T0 }), ev('stage', { jobId, stage: 'sample' })];
  for (let index = 0; index < total; index++) {
    const displayIndex = total - 1 - index;
    out.push(ev('section.started', { jobId, index, displayIndex, total }));
    for (let step = 1; step <= steps; step++) {
      out.push(ev('step', { jobId, section: index, step, steps, secPerStep: 0.5, etaSectionMs: (steps - step) * 500, etaJobMs: ((total - index - 1) * steps + steps - step) * 500 }));
    }
    out.push(ev('section.done', { jobId, index, displayIndex, total, partialPath: `/tmp/p-${index}.mp4`, frames: 33 * (index + 1), seconds: 1.1 * (index + 1) }));
  }
  out.push(ev('job.succeeded', { jobId, outputPath: `/tmp/${jobId}.mp4`, timing }));
  return out;
}

/** config.json in memory, validated as the real store (tui/settings/user-store.ts) validates it. */
export function memoryUserStore(initial: Record<string, unknown> = {}): UserSettingsStore & { data: Record<string, unknown> } {
  const data: Record<string, unknown> = { ...initial };
  return {
    data,
    file: '/tmp/fp-test/config.json',
    read: () => ({ settings: { ...data }, problem: null }),
    write: (key, value) => {
      if (value === undefined) {
        settingInfo(key);
        delete data[key];
      } else data[key] = checkSetting(key, value);
    },
  };
}
