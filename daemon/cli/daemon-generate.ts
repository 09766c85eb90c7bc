// `framepack generate` through the daemon (the default; `--local` runs in this process instead).
// The flags were already validated here (resolveJob + the image read), so a bad input exits 2
// before any daemon starts. Then: auto-start the daemon, subscribe to job events, submit the
// protocol JobSpec (absolute paths), and either print the job id (--detach) or follow the job to
// its terminal event (--wait, the default) with the same progress display as local mode. With
// --json the daemon's events are mapped onto issue 3's NDJSON shape, so the last line is always
// job.succeeded (with `output`) or job.failed (with `error`). Ctrl-C while following cancels the
// job, as local mode and `ollama run` do; --detach is the way to leave a job running.
import path from 'node:path';
import type { RpcClient } from '../../shared/ipc/rpc-client.js';
import type { EventMessage, JobSpecInput } from '../../shared/protocol/index.js';
import type { PipelineEvent } from '../engine/pipeline/events.js';
import type { JobSpec as PipelineJobSpec } from '../engine/pipeline/job-spec.js';
import { connectDaemon } from './daemon-client.js';
import { EXIT_CANCELLED, EXIT_FAILURE, EXIT_OK, UsageError } from './errors.js';
import type { ProgressWriter } from './progress.js';

export interface DaemonGenerateOptions {
  spec: PipelineJobSpec;
  /** The --model value as given (a bundle name; folders need --local). */
  model: string | undefined;
  out: string | undefined;
  partials: boolean;
  /** --overwrite: replace a file at `out` that framepack did not write. */
  overwrite?: boolean;
  detach: boolean;
  json: boolean;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** --extend-job: the daemon job to continue. */
  extendJob?: string;
  /** Human progress (null with --json). */
  progress: ProgressWriter | null;
  env?: NodeJS.ProcessEnv;
}

/** Where the video goes: a `.mp4` path as is; a folder gets `<time>_seed<seed>.mp4` (as local mode). */
export function daemonOutPath(out: string | undefined, seed: number, now = new Date()): string | undefined {
  if (out === undefined) return undefined;
  const abs = path.resolve(out);
  if (abs.toLowerCase().endsWith('.mp4')) return abs;
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);
  return path.join(abs, `${stamp}_seed${seed}.mp4`);
}

/** The CLI's resolved spec → the protocol's jobs.submit params. */
export function protocolSpec(spec: PipelineJobSpec, o: { model: string | undefined; out: string | undefined; partials: boolean; overwrite?: boolean; extendJob?: string }): JobSpecInput {
  if (o.model !== undefined && /[\\/]/.test(o.model)) throw new UsageError(`--model ${o.model}: the daemon takes bundle names; use --local for a bundle folder`);
  const out = daemonOutPath(o.out, spec.seed);
  // An extension has no image: its source (a video, or a daemon job) stands in.
  const source = spec.extendVideo !== null ? { extend: path.resolve(spec.extendVideo), ...(spec.extendContext !== null ? { extendContext: spec.extendContext } : {}) }
    : o.extendJob !== undefined ? { extendJob: o.extendJob } : { image: path.resolve(spec.imagePath) };
  return {
    ...source,
    ...(spec.resolution !== null ? { resolution: spec.resolution } : {}),
    prompt: spec.prompt, negativePrompt: spec.negativePrompt, seconds: spec.seconds, seed: spec.seed,
    steps: spec.steps, gs: spec.gs, cfg: spec.cfg, rs: spec.rs, window: spec.windowSize, sampler: spec.sampler, mode: spec.mode,
    teacache: spec.teacache, teacacheThreshold: spec.teacacheThreshold, crf: spec.crf, partials: o.partials,
    cache: spec.cache, magcacheThreshold: spec.magcacheThreshold, magcacheMaxSkips: spec.magcacheMaxSkips, magcacheRetention: spec.magcacheRetention,
    ...(spec.shift !== null ? { shift: spec.shift } : {}),
    ...(spec.loras?.length ? { loras: spec.loras } : {}),
    ...(spec.promptBlend !== undefined ? { promptBlend: spec.promptBlend } : {}),
    ...(spec.endImagePath !== undefined ? { endImage: path.resolve(spec.endImagePath) } : {}),
    ...(spec.endStrength !== undefined ? { endStrength: spec.endStrength } : {}),
    ...(spec.keyframes?.length ? { keyframes: spec.keyframes.map((k) => ({ seconds: k.seconds, image: path.resolve(k.imagePath) })) } : {}),
    ...(o.model !== undefined ? { model: o.model } : {}),
    ...(out !== undefined ? { out } : {}),
    ...(o.overwrite === true ? { overwrite: true } : {}),
  };
}

/** Per-job state the mapping needs (section count and frames are only in some events). */
export interface MapState { sections: number; frames: number; seconds: number }

/** A daemon event → the local mode's event shape (PipelineEvent, plus job.queued/started/cancelled lines), or null. */
export function cliEvent(e: EventMessage, st: MapState): Record<string, unknown> | null {
  switch (e.event) {
    case 'job.queued': return { type: 'job.queued', jobId: e.payload.jobId, position: e.payload.position };
    case 'job.started': return { type: 'job.started', jobId: e.payload.jobId };
    case 'stage': return {
      type: 'stage', stage: e.payload.stage, message: e.payload.detail ?? e.payload.stage,
      ...(e.payload.etaJobMs !== undefined ? { etaSeconds: e.payload.etaJobMs / 1000 } : {}),
    };
    case 'section.started':
      st.sections = e.payload.total;
      return { type: 'section.started', section: e.payload.index + 1, sections: e.payload.total, displayIndex: e.payload.displayIndex };
    case 'step': return {
      type: 'step', section: e.payload.section + 1, sections: st.sections, step: e.payload.step, steps: e.payload.steps,
      secondsPerStep: e.payload.secPerStep, etaSeconds: e.payload.etaJobMs / 1000, teacacheSkipped: false,
    };
    case 'preview': return { type: e.payload.kind === 'frame' ? 'frame' : 'preview', section: e.payload.section + 1, path: e.payload.path };
    case 'section.done':
      st.frames = e.payload.frames;
      st.seconds = e.payload.seconds;
      return {
        type: 'section.done', section: e.payload.index + 1, sections: e.payload.total, partialVideo: e.payload.partialPath, frames: e.payload.frames, seconds: e.payload.seconds,
        ...(e.payload.etaJobMs !== undefined ? { etaSeconds: e.payload.etaJobMs / 1000 } : {}),
      };
    case 'job.succeeded': return {
      type: 'job.succeeded', jobId: e.payload.jobId, output: e.payload.outputPath, sidecar: e.payload.outputPath.replace(/\.mp4$/i, '.json'),
      frames: st.frames, seconds: st.seconds, wallSeconds: e.payload.timing.totalMs / 1000,
    };
    case 'job.failed': return { type: 'job.failed', jobId: e.payload.jobId, error: e.payload.error.message, code: e.payload.error.code, partialVideo: e.payload.partialPath };
    // The issue-3 contract ends with job.succeeded or job.failed: a cancel is a failure with `cancelled`.
    case 'job.cancelled': return { type: 'job.failed', jobId: e.payload.jobId, error: 'cancelled', code: 'CANCELLED', cancelled: true, partialVideo: e.payload.partialPath };
    default: return null;
  }
}

export async function generateViaDaemon(o: DaemonGenerateOptions): Promise<number> {
  const params = protocolSpec(o.spec, { model: o.model, out: o.out, partials: o.partials, overwrite: o.overwrite === true, ...(o.extendJob !== undefined ? { extendJob: o.extendJob } : {}) });
  const { client } = await connectDaemon({ autoStart: true, name: 'framepack generate', ...(o.env ? { env: o.env } : {}) });
  try {
    if (o.detach) {
      const r = await client.call('jobs.submit', params);
      o.stdout.write(o.json ? `${JSON.stringify({ type: 'job.queued', jobId: r.jobId, position: r.position })}\n` : `${r.jobId}\n`);
      return EXIT_OK;
    }
    return await follow(client, params, o);
  } finally {
    client.close();
  }
}

export function follow(client: RpcClient, params: JobSpecInput, o: DaemonGenerateOptions): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const st: MapState = { sections: 0, frames: 0, seconds: 0 };
    let jobId: string | null = null;
    let done = false;
    const buffered: EventMessage[] = [];
    let interrupts = 0;
    const cancel = (id: string) => void client.call('jobs.cancel', { jobId: id, when: 'now' }).catch(() => undefined);
    const onSigint = () => {
      interrupts++;
      if (interrupts > 1) process.exit(EXIT_CANCELLED);
      o.stderr.write('cancelling the job (Ctrl-C again to stop following at once)\n');
      // Before jobs.submit answered, the cancel is sent as soon as the id is known.
      if (jobId !== null) cancel(jobId);
    };
    const end = (code: number, err?: unknown) => {
      if (done) return;
      done = true;
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
      o.progress?.finish();
      // --json's contract holds for a refused submit or a lost daemon too: the last line is job.failed.
      if (err !== undefined && o.json) {
        const error = (err instanceof Error ? err.message : String(err)).split('\n')[0];
        o.stdout.write(`${JSON.stringify({ type: 'job.failed', jobId, error, code: (err as { code?: unknown }).code ?? 'INTERNAL' })}\n`);
      }
      if (err !== undefined) reject(err);
      else resolve(code);
    };
    const handle = (e: EventMessage) => {
      if (done || !('jobId' in e.payload) || e.payload.jobId !== jobId) return;
      const ev = cliEvent(e, st);
      if (ev === null) return;
      if (o.json) o.stdout.write(`${JSON.stringify(ev)}\n`);
      else {
        // Local mode's renderer for the shared shapes; job.failed's one line is printed below.
        // The protocol counts from 0 (and --json keeps that); people count from 1 (#1 runs next).
        if (ev.type === 'job.queued') o.stderr.write(`job ${jobId} queued at position ${Number(ev.position) + 1}\n`);
        else if (ev.type !== 'job.started' && ev.type !== 'job.failed') o.progress!.write(ev as unknown as PipelineEvent);
      }
      if (e.event === 'job.succeeded') {
        if (!o.json) o.stdout.write(`${e.payload.outputPath}\n`);
        end(EXIT_OK);
      } else if (e.event === 'job.failed') {
        o.progress?.finish();
        o.stderr.write(`framepack: ${e.payload.error.code} ${e.payload.error.message.split('\n')[0]}${e.payload.partialPath ? ` (partial video: ${e.payload.partialPath})` : ''}\n`);
        end(EXIT_FAILURE);
      } else if (e.event === 'job.cancelled') {
        o.progress?.finish();
        o.stderr.write(`framepack: cancelled${e.payload.partialPath ? ` (partial video: ${e.payload.partialPath})` : ''}\n`);
        end(EXIT_CANCELLED);
      }
    };
    client.onStateChange((state) => {
      if (state === 'disconnected' || state === 'closed') end(EXIT_FAILURE, new Error(`lost the connection to the daemon while following job ${jobId ?? '(not submitted)'}`));
    });
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigint);
    // Subscribe before submitting so no event of the new job is missed; buffer until its id is known.
    client.subscribe({ topics: ['jobs'] }, { onEvent: (e) => (jobId === null ? buffered.push(e) : handle(e)) })
      .then(() => client.call('jobs.submit', params))
      .then((r) => {
        jobId = r.jobId;
        if (interrupts > 0) cancel(r.jobId);
        for (const e of buffered.splice(0)) handle(e);
      })
      .catch((err: unknown) => end(EXIT_FAILURE, err));
  });
}
