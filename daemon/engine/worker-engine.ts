// The real engine in a worker thread, behind the same Engine seam: every call is a message to
// engine-worker.ts, and a running job's callbacks come back as messages. The daemon's event loop
// then only relays, so requests and events keep flowing while the pipeline computes (measured
// by `npm run bench -- daemon`). estimate() must be synchronous, so footprints are cached from
// each listModels() answer.
import { Worker } from 'node:worker_threads';
import { RpcError, type ComponentId, type JobSpec } from '../../shared/protocol/index.js';
import type { ComponentFootprint, Engine, EngineExtension, EngineJob, EngineOutcome, EngineRunContext } from './engine.js';
import { fromWireError, type FromWorker, type ToWorker } from './engine-worker.js';
import { DEFAULT_MODEL } from './pipeline/model-location.js';

const COMPONENTS: readonly ComponentId[] = ['text-encoder', 'text-encoder-2', 'image-encoder', 'vae', 'transformer'];
/** Slots of the shared stop-after-section flags (runs are numbered; one runs at a time). */
const STOP_SLOTS = 64;
/** How often the main thread copies stopAfterSection() into the shared flag. */
const STOP_POLL_MS = 100;

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

interface RunHooks {
  ctx: EngineRunContext;
  stopTimer: NodeJS.Timeout;
}

export class WorkerEngine implements Engine {
  readonly name = 'onnx';
  readonly defaultModel = DEFAULT_MODEL;
  private readonly worker: Worker;
  private readonly stopFlags = new Int32Array(new SharedArrayBuffer(STOP_SLOTS * 4));
  private readonly pending = new Map<number, Pending>();
  private readonly runs = new Map<number, RunHooks>();
  private readonly footprints = new Map<string, ComponentFootprint>();
  private nextId = 1;

  constructor() {
    this.worker = new Worker(new URL('./engine-worker.ts', import.meta.url), { workerData: { stopFlags: this.stopFlags.buffer } });
    this.worker.unref();
    this.worker.on('message', (m: FromWorker) => this.receive(m));
    this.worker.on('error', (err) => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  async listModels(): Promise<string[]> {
    const models = (await this.call('listModels', [])) as string[];
    // Footprints for estimate(): the worker's engine reads them from the manifests.
    for (const m of models) {
      for (const c of COMPONENTS) this.footprints.set(`${m}/${c}`, (await this.call('estimate', [m, c])) as ComponentFootprint);
    }
    return models;
  }

  components(): readonly ComponentId[] {
    return COMPONENTS;
  }

  estimate(model: string, component: ComponentId): ComponentFootprint {
    return this.footprints.get(`${model}/${component}`) ?? { device: 'cpu', vramBytes: 0, ramBytes: 0 };
  }

  async validate(spec: JobSpec, model: string, extension?: EngineExtension): Promise<void> {
    await this.call('validate', extension ? [spec, model, extension] : [spec, model]);
  }

  async load(model: string, component: ComponentId): Promise<ComponentFootprint> {
    const f = (await this.call('load', [model, component])) as ComponentFootprint;
    this.footprints.set(`${model}/${component}`, f);
    return f;
  }

  async unload(model: string, component: ComponentId): Promise<void> {
    await this.call('unload', [model, component]);
  }

  async run(job: EngineJob, ctx: EngineRunContext): Promise<EngineOutcome> {
    const id = this.nextId++;
    const slot = id % STOP_SLOTS;
    Atomics.store(this.stopFlags, slot, 0);
    const stopTimer = setInterval(() => Atomics.store(this.stopFlags, slot, ctx.stopAfterSection() ? 1 : 0), STOP_POLL_MS);
    this.runs.set(id, { ctx, stopTimer });
    const onAbort = () => this.post({ op: 'abort', id });
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      return (await this.request(id, { op: 'run', id, job, resume: ctx.resume })) as EngineOutcome;
    } finally {
      clearInterval(stopTimer);
      ctx.signal.removeEventListener('abort', onAbort);
      this.runs.delete(id);
    }
  }

  /** Stop the worker (daemon shutdown, after every component was unloaded). */
  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  private call(method: Extract<ToWorker, { op: 'call' }>['method'], args: unknown[]): Promise<unknown> {
    const id = this.nextId++;
    return this.request(id, { op: 'call', id, method, args });
  }

  private request(id: number, message: ToWorker): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post(message);
    });
  }

  private post(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  private receive(m: FromWorker): void {
    if (m.type === 'result') {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.ok) p?.resolve(m.value);
      else p?.reject(fromWireError(m.error));
      return;
    }
    const run = this.runs.get(m.runId);
    if (!run) return;
    if (m.type === 'event') {
      run.ctx.onEvent(m.event as never);
      // Keep the shared flag fresh right after a section, when the engine is about to read it.
      Atomics.store(this.stopFlags, m.runId % STOP_SLOTS, run.ctx.stopAfterSection() ? 1 : 0);
      return;
    }
    const answer = m.what === 'checkpoint' ? run.ctx.checkpoint(m.checkpoint) : m.what === 'release' ? run.ctx.release(m.component, m.detail) : run.ctx.acquire(m.component);
    answer.then(
      () => this.post({ op: 'reply', id: m.id, ok: true }),
      (err: unknown) => this.post({
        op: 'reply', id: m.id, ok: false, error: err instanceof Error ? err.message : String(err),
        ...(err instanceof RpcError ? { code: err.code } : {}),
      }),
    );
  }
}
