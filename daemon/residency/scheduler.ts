// Residency mechanism (STYLE.md §3.3 conv. 7, ollama's scheduler): which components are loaded,
// who holds them (refcounted leases) and until when (keep-alive timers). Components load on first
// use; at zero leases a keep-alive of 0 unloads at once, −1 keeps forever, anything else arms a
// timer whose expiry is exposed as expiresAt. Every load and unload runs through one promise
// chain, so only one load is in flight and two callers never race on the same component. Policy
// (who gets evicted, how big the budget is) lives in eviction.ts and memory.ts; every unload
// carries a reason that is logged and published.
import { RpcError, type ComponentId, type ComponentStatus, type ModelStatus, type UnloadReason } from '../../shared/protocol/index.js';
import { systemClock, type Clock, type TimerHandle } from '../clock.js';
import { EngineOutOfMemory, type ComponentFootprint, type Engine } from '../engine/engine.js';
import type { Logger } from '../log.js';
import { chooseVictims } from './eviction.js';
import { budgetedBytes } from './memory.js';

export interface SchedulerOptions {
  engine: Pick<Engine, 'load' | 'unload' | 'estimate' | 'components'>;
  budgetBytes: number;
  defaultKeepAliveMs: number;
  log: Logger;
  clock?: Clock;
  onLoaded?(e: { model: string; component: ComponentId; footprint: ComponentFootprint; loadMs: number; expiresAt: string | null }): void;
  onUnloaded?(e: { model: string; component: ComponentId; reason: UnloadReason; detail?: string }): void;
}

interface Entry {
  model: string;
  component: ComponentId;
  state: 'loading' | 'loaded' | 'unloading';
  footprint: ComponentFootprint;
  leases: number;
  keepAliveMs: number;
  expiresAtMs: number | null;
  timer: TimerHandle | null;
  lastUsedMs: number;
  /** A forced unload waiting for the last lease. */
  unloadWhenIdle: UnloadReason | null;
  /** Bytes counted against the budget when a job's memory plan gave them (acquire's planBytes), else null: the footprint's. */
  planBytes: number | null;
}

/** A held component; release() exactly once when the job is done with it. */
export interface Lease {
  readonly model: string;
  readonly component: ComponentId;
  release(): void;
}

const keyOf = (model: string, component: ComponentId) => `${model}/${component}`;

export class ResidencyScheduler {
  private readonly entries = new Map<string, Entry>();
  private chain: Promise<unknown> = Promise.resolve();
  private readonly clock: Clock;
  private readonly log: Logger;

  constructor(private readonly options: SchedulerOptions) {
    this.clock = options.clock ?? systemClock;
    this.log = options.log.child({ scope: 'residency' });
  }

  /** Run `fn` after every earlier load/unload (the scheduler's single serialised queue). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => {});
    return next;
  }

  /**
   * Take a lease, loading the component first if needed. keepAliveMs (job override) replaces the
   * component's keep-alive. planBytes: the job's memory plan already checked that its phases fit
   * (weights on the device plus the largest activation of a phase), so the component counts its
   * plan weights against the budget instead of its footprint estimate, which adds every component's
   * own activations as if they coexisted and would refuse the plan the daemon just chose.
   */
  acquire(model: string, component: ComponentId, keepAliveMs?: number, signal?: AbortSignal, planBytes?: number): Promise<Lease> {
    return this.serial(async () => {
      signal?.throwIfAborted();
      const key = keyOf(model, component);
      const existing = this.entries.get(key);
      if (existing && existing.state === 'loaded') {
        existing.leases++;
        if (keepAliveMs !== undefined) existing.keepAliveMs = keepAliveMs;
        // The latest holder's plan decides what the component counts (none: its footprint).
        existing.planBytes = planBytes ?? null;
        this.disarm(existing);
        return this.lease(existing);
      }
      const entry = await this.loadEntry(model, component, keepAliveMs ?? this.options.defaultKeepAliveMs, signal, planBytes);
      entry.leases++;
      return this.lease(entry);
    });
  }

  /** Pre-warm (models.load): load if needed and arm the keep-alive as if a job had just finished. */
  async load(model: string, components: readonly ComponentId[], keepAliveMs?: number): Promise<void> {
    for (const component of components) this.releaseLease(this.entryOf(await this.acquire(model, component, keepAliveMs)));
  }

  /**
   * Unload idle components of `model` (all models when absent), or only `components`. With force,
   * leased ones are unloaded as soon as their job releases them. Returns the keys touched.
   */
  unload(model: string | undefined, components: readonly ComponentId[] | undefined, force: boolean, reason: UnloadReason = 'requested', detail?: string): Promise<string[]> {
    return this.serial(async () => {
      const touched: string[] = [];
      for (const e of [...this.entries.values()]) {
        if (model !== undefined && e.model !== model) continue;
        if (components && !components.includes(e.component)) continue;
        if (e.state !== 'loaded') continue;
        if (e.leases === 0) {
          await this.unloadEntry(e, reason, detail);
          touched.push(keyOf(e.model, e.component));
        } else if (force) {
          e.unloadWhenIdle = reason;
          touched.push(keyOf(e.model, e.component));
        }
      }
      return touched;
    });
  }

  /** Unload everything, leased or not (shutdown, after the runner stopped). */
  unloadAll(reason: UnloadReason): Promise<void> {
    return this.serial(async () => {
      for (const e of [...this.entries.values()]) if (e.state === 'loaded') await this.unloadEntry(e, reason);
    });
  }

  /** After an out-of-memory during a run: every idle component unloads now, busy ones when released (ollama sets keep-alive 0). */
  async clearForOutOfMemory(): Promise<void> {
    for (const e of this.entries.values()) e.keepAliveMs = 0;
    await this.unload(undefined, undefined, true, 'out-of-memory');
  }

  /** Resident components, like `ollama ps`. */
  list(): ComponentStatus[] {
    return [...this.entries.values()].map((e) => this.status(e));
  }

  /** One model's components, unloaded ones included. */
  modelStatus(model: string, available: boolean): ModelStatus {
    const components = this.options.engine.components(model).map((component) => {
      const e = this.entries.get(keyOf(model, component));
      if (e) return this.status(e);
      return { model, component, state: 'unloaded' as const, device: null, vramBytes: 0, ramBytes: 0, keepAliveMs: this.options.defaultKeepAliveMs, expiresAt: null, leases: 0 };
    });
    return { name: model, available, components };
  }

  private status(e: Entry): ComponentStatus {
    return {
      model: e.model, component: e.component, state: e.state, device: e.footprint.device,
      vramBytes: Math.round(e.footprint.vramBytes), ramBytes: Math.round(e.footprint.ramBytes),
      keepAliveMs: e.keepAliveMs < 0 ? -1 : e.keepAliveMs,
      expiresAt: e.expiresAtMs === null ? null : new Date(e.expiresAtMs).toISOString(),
      leases: e.leases,
    };
  }

  private entryOf(lease: Lease): Entry {
    return this.entries.get(keyOf(lease.model, lease.component))!;
  }

  private lease(entry: Entry): Lease {
    let released = false;
    return {
      model: entry.model,
      component: entry.component,
      release: () => {
        if (released) return;
        released = true;
        this.releaseLease(entry);
      },
    };
  }

  private releaseLease(entry: Entry): void {
    entry.leases = Math.max(0, entry.leases - 1);
    entry.lastUsedMs = this.clock.now();
    if (entry.leases > 0 || entry.state !== 'loaded') return;
    if (entry.unloadWhenIdle) {
      const reason = entry.unloadWhenIdle;
      void this.serial(() => this.unloadIfIdle(entry, reason));
    } else this.arm(entry);
  }

  /** Keep-alive at zero leases: 0 = unload now, −1 = never, else a timer. */
  private arm(entry: Entry): void {
    this.disarm(entry);
    if (entry.keepAliveMs === 0) {
      void this.serial(() => this.unloadIfIdle(entry, 'keep-alive-zero'));
      return;
    }
    if (entry.keepAliveMs < 0) return;
    entry.expiresAtMs = this.clock.now() + entry.keepAliveMs;
    entry.timer = this.clock.after(entry.keepAliveMs, () => {
      entry.timer = null;
      void this.serial(() => this.unloadIfIdle(entry, 'keep-alive-expired'));
    });
  }

  private disarm(entry: Entry): void {
    entry.timer?.cancel();
    entry.timer = null;
    entry.expiresAtMs = null;
  }

  /** An expiry or deferred unload that finds the component leased again (or gone) does nothing. */
  private async unloadIfIdle(entry: Entry, reason: UnloadReason): Promise<void> {
    if (this.entries.get(keyOf(entry.model, entry.component)) !== entry) return;
    if (entry.state !== 'loaded' || entry.leases > 0) return;
    await this.unloadEntry(entry, reason);
  }

  private async loadEntry(model: string, component: ComponentId, keepAliveMs: number, signal?: AbortSignal, planBytes?: number): Promise<Entry> {
    const key = keyOf(model, component);
    await this.makeRoom(key, planBytes ?? budgetedBytes(this.options.engine.estimate(model, component)));
    const entry: Entry = {
      model, component, state: 'loading', footprint: this.options.engine.estimate(model, component), leases: 0,
      keepAliveMs, expiresAtMs: null, timer: null, lastUsedMs: this.clock.now(), unloadWhenIdle: null, planBytes: planBytes ?? null,
    };
    this.entries.set(key, entry);
    const started = performance.now();
    try {
      entry.footprint = await this.options.engine.load(model, component, signal);
    } catch (err: unknown) {
      if (!(err instanceof EngineOutOfMemory)) {
        this.entries.delete(key);
        this.log.error('load failed', { model, component, error: (err as Error).message });
        throw err;
      }
      // OOM at load: evict every other idle component and retry exactly once (ollama's oomRetryAttempted).
      this.log.warn('out of memory while loading; evicting every idle component and retrying once', { model, component });
      for (const other of [...this.entries.values()]) {
        if (other !== entry && other.state === 'loaded' && other.leases === 0) await this.unloadEntry(other, 'out-of-memory', `${key} ran out of memory while loading`);
      }
      try {
        entry.footprint = await this.options.engine.load(model, component, signal);
      } catch (retryErr: unknown) {
        this.entries.delete(key);
        if (retryErr instanceof EngineOutOfMemory) throw new RpcError('OUT_OF_MEMORY', `${key} does not fit even after evicting everything idle: ${retryErr.message}`);
        throw retryErr;
      }
    }
    entry.state = 'loaded';
    const loadMs = performance.now() - started;
    this.log.info('loaded', { model, component, device: entry.footprint.device, vramBytes: entry.footprint.vramBytes, ramBytes: entry.footprint.ramBytes, loadMs: Math.round(loadMs) });
    this.options.onLoaded?.({ model, component, footprint: entry.footprint, loadMs, expiresAt: null });
    return entry;
  }

  /** Evict idle components until `neededBytes` fit; OUT_OF_MEMORY when even that is not enough. */
  private async makeRoom(key: string, neededBytes: number): Promise<void> {
    const resident = [...this.entries.values()].map((e) => ({
      key: keyOf(e.model, e.component), bytes: e.planBytes ?? budgetedBytes(e.footprint), leases: e.state === 'loaded' ? e.leases : 1,
      keepAliveMs: e.keepAliveMs, lastUsedMs: e.lastUsedMs,
    }));
    const choice = chooseVictims(resident, neededBytes, this.options.budgetBytes, key);
    if (!choice) {
      throw new RpcError('OUT_OF_MEMORY', `${key} needs ${(neededBytes / 1024 ** 3).toFixed(2)} GiB; the budget of ${(this.options.budgetBytes / 1024 ** 3).toFixed(2)} GiB is held by components in use`);
    }
    for (const v of choice.victims) await this.unloadEntry(this.entries.get(v.key)!, 'evicted-for-memory', choice.reason);
  }

  private async unloadEntry(entry: Entry, reason: UnloadReason, detail?: string): Promise<void> {
    this.disarm(entry);
    entry.state = 'unloading';
    try {
      await this.options.engine.unload(entry.model, entry.component);
    } finally {
      this.entries.delete(keyOf(entry.model, entry.component));
    }
    // Every eviction is logged with its reason (PEERS.md §C4.6: "why did it reload?").
    this.log.info('unloaded', { model: entry.model, component: entry.component, reason, ...(detail ? { detail } : {}) });
    this.options.onUnloaded?.({ model: entry.model, component: entry.component, reason, ...(detail ? { detail } : {}) });
  }
}
