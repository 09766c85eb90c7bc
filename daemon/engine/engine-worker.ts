// The worker-thread side of WorkerEngine (worker-engine.ts): hosts the real engine so the
// pipeline's synchronous JavaScript (resampling, previews, stitching) never blocks the daemon's
// event loop. Requests arrive as messages; a running job's callbacks (events, checkpoints,
// component leases) go back to the main thread, where the scheduler and the job service live.
import { parentPort, workerData } from 'node:worker_threads';
import { RpcError, type ComponentId, type ErrorCode } from '../../shared/protocol/index.js';
import { EngineOutOfMemory, JobRejected, type Engine, type EngineJob, type SectionCheckpoint } from './engine.js';
import { OnnxEngine } from './framepack-engine.js';

export type ToWorker =
  | { op: 'call'; id: number; method: 'listModels' | 'estimate' | 'validate' | 'load' | 'unload'; args: unknown[] }
  | { op: 'run'; id: number; job: EngineJob; resume: SectionCheckpoint | null }
  | { op: 'abort'; id: number }
  | { op: 'reply'; id: number; ok: boolean; error?: string; code?: string };

export type FromWorker =
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: WireEngineError }
  | { type: 'event'; runId: number; event: unknown }
  | { type: 'ask'; id: number; runId: number; what: 'checkpoint'; checkpoint: SectionCheckpoint }
  | { type: 'ask'; id: number; runId: number; what: 'acquire'; component: ComponentId }
  | { type: 'ask'; id: number; runId: number; what: 'release'; component: ComponentId; detail: string };

export interface WireEngineError {
  name: string;
  message: string;
  stack?: string;
  field?: string;
  problem?: string;
  code?: string;
}

export function toWireError(err: unknown): WireEngineError {
  if (err instanceof JobRejected) return { name: err.name, message: err.message, field: err.field, problem: err.problem, code: err.code };
  if (err instanceof RpcError) return { name: 'RpcError', message: err.message, code: err.code };
  if (err instanceof Error) return { name: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}), ...((err as { code?: unknown }).code !== undefined ? { code: String((err as { code?: unknown }).code) } : {}) };
  return { name: 'Error', message: String(err) };
}

export function fromWireError(e: WireEngineError): Error {
  if (e.name === 'JobRejected') return new JobRejected(e.field ?? 'spec', e.problem ?? e.message, e.code === 'MODEL_MISSING' ? 'MODEL_MISSING' : 'INVALID_PARAMS');
  if (e.name === 'EngineOutOfMemory') return new EngineOutOfMemory(e.message);
  if (e.name === 'RpcError' && e.code) return new RpcError(e.code as ErrorCode, e.message);
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}

function serve(engine: Engine, port: NonNullable<typeof parentPort>, stopFlags: Int32Array): void {
  const runs = new Map<number, AbortController>();
  const asks = new Map<number, { resolve(): void; reject(e: Error): void }>();
  let nextAsk = 1;
  const post = (m: FromWorker) => port.postMessage(m);
  type AskBody = { what: 'checkpoint'; checkpoint: SectionCheckpoint } | { what: 'acquire'; component: ComponentId } | { what: 'release'; component: ComponentId; detail: string };
  const ask = (runId: number, body: AskBody) =>
    new Promise<void>((resolve, reject) => {
      const id = nextAsk++;
      asks.set(id, { resolve, reject });
      post({ type: 'ask', id, runId, ...body } as FromWorker);
    });

  port.on('message', (m: ToWorker) => {
    if (m.op === 'reply') {
      const pending = asks.get(m.id);
      asks.delete(m.id);
      if (m.ok) pending?.resolve();
      // Keep the code (OUT_OF_MEMORY from the scheduler) so the job fails with it.
      else pending?.reject(m.code ? new RpcError(m.code as ErrorCode, m.error ?? 'refused') : new Error(m.error ?? 'refused'));
      return;
    }
    if (m.op === 'abort') {
      runs.get(m.id)?.abort(new Error('aborted by the daemon'));
      return;
    }
    const settle = (p: Promise<unknown>) =>
      p.then((value) => post({ type: 'result', id: m.id, ok: true, value }), (err: unknown) => post({ type: 'result', id: m.id, ok: false, error: toWireError(err) }));
    if (m.op === 'call') {
      const fn = (engine[m.method] as (...a: unknown[]) => Promise<unknown>).bind(engine);
      void settle(Promise.resolve().then(() => fn(...m.args)));
      return;
    }
    const controller = new AbortController();
    runs.set(m.id, controller);
    void settle(
      engine.run(m.job, {
        signal: controller.signal,
        // Written by the main thread (Atomics), read here without a round trip.
        stopAfterSection: () => Atomics.load(stopFlags, m.id % stopFlags.length) === 1,
        onEvent: (event) => post({ type: 'event', runId: m.id, event }),
        resume: m.resume,
        checkpoint: (checkpoint) => ask(m.id, { what: 'checkpoint', checkpoint }),
        acquire: (component) => ask(m.id, { what: 'acquire', component }),
        release: (component, detail) => ask(m.id, { what: 'release', component, detail }),
      }).finally(() => runs.delete(m.id)),
    );
  });
}

if (parentPort) serve(new OnnxEngine(), parentPort, new Int32Array((workerData as { stopFlags: SharedArrayBuffer }).stopFlags));
