import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock.js';
import { FakeEngine } from '../engine/fake-engine.js';
import { EngineOutOfMemory } from '../engine/engine.js';
import { silentLogger } from '../log.js';
import { ResidencyScheduler } from './scheduler.js';

const GIB = 1024 ** 3;
const flush = () => new Promise((r) => setTimeout(r, 5));

function setup(budgetGiB = 100, defaultKeepAliveMs = 300_000) {
  const clock = new FakeClock();
  const engine = new FakeEngine({ loadMs: 0 });
  const unloads: string[] = [];
  const scheduler = new ResidencyScheduler({
    engine, budgetBytes: budgetGiB * GIB, defaultKeepAliveMs, log: silentLogger, clock,
    onUnloaded: (e) => unloads.push(`${e.component}:${e.reason}`),
  });
  return { clock, engine, scheduler, unloads };
}

describe('ResidencyScheduler', () => {
  it('loads on first use, shares the component between leases, and expires after the keep-alive', async () => {
    const { clock, engine, scheduler, unloads } = setup();
    const a = await scheduler.acquire('fake-tiny', 'vae');
    const b = await scheduler.acquire('fake-tiny', 'vae');
    expect(scheduler.list()).toMatchObject([{ component: 'vae', state: 'loaded', leases: 2, expiresAt: null }]);
    a.release();
    a.release(); // idempotent
    expect(scheduler.list()[0]!.leases).toBe(1);
    b.release();
    expect(scheduler.list()[0]!.expiresAt).toBe(new Date(clock.now() + 300_000).toISOString());
    clock.advance(299_999);
    await flush();
    expect(engine.loaded.has('fake-tiny/vae')).toBe(true);
    clock.advance(1);
    await flush();
    expect(engine.loaded.has('fake-tiny/vae')).toBe(false);
    expect(unloads).toEqual(['vae:keep-alive-expired']);
  });

  it('keep-alive 0 unloads when the last lease goes; -1 keeps forever', async () => {
    const { clock, scheduler, unloads } = setup();
    const zero = await scheduler.acquire('fake-tiny', 'vae', 0);
    const forever = await scheduler.acquire('fake-tiny', 'transformer', -1);
    zero.release();
    forever.release();
    await flush();
    clock.advance(365 * 24 * 3_600_000);
    await flush();
    expect(unloads).toEqual(['vae:keep-alive-zero']);
    expect(scheduler.list()).toMatchObject([{ component: 'transformer', keepAliveMs: -1, expiresAt: null }]);
  });

  it('a lease taken again before expiry cancels the timer', async () => {
    const { clock, scheduler, unloads } = setup(100, 1_000);
    (await scheduler.acquire('fake-tiny', 'vae')).release();
    clock.advance(500);
    const again = await scheduler.acquire('fake-tiny', 'vae');
    clock.advance(10_000);
    await flush();
    expect(unloads).toEqual([]);
    again.release();
    clock.advance(1_000);
    await flush();
    expect(unloads).toEqual(['vae:keep-alive-expired']);
  });

  it('evicts idle components for memory with a reason, and refuses when leases hold the budget', async () => {
    const { scheduler, unloads } = setup(30);
    (await scheduler.acquire('fake-tiny', 'text-encoder')).release(); // 15 GiB idle
    const t = await scheduler.acquire('fake-tiny', 'transformer'); // 25 GiB: evicts the text encoder
    expect(unloads).toEqual(['text-encoder:evicted-for-memory']);
    await expect(scheduler.acquire('fake-tiny', 'text-encoder')).rejects.toMatchObject({ code: 'OUT_OF_MEMORY' });
    t.release();
  });

  it('a forced unload waits for the lease; an unforced one leaves leased components alone', async () => {
    const { scheduler, unloads } = setup();
    const lease = await scheduler.acquire('fake-tiny', 'vae');
    expect(await scheduler.unload('fake-tiny', undefined, false)).toEqual([]);
    expect(await scheduler.unload('fake-tiny', ['vae'], true)).toEqual(['fake-tiny/vae']);
    expect(unloads).toEqual([]);
    lease.release();
    await flush();
    expect(unloads).toEqual(['vae:requested']);
  });

  it('retries a load once after an out-of-memory, evicting everything idle first', async () => {
    const clock = new FakeClock();
    const engine = new FakeEngine({ loadMs: 0 });
    let failures = 1;
    const load = engine.load.bind(engine);
    engine.load = async (m, c, s) => {
      if (c === 'transformer' && failures-- > 0) throw new EngineOutOfMemory('boom');
      return load(m, c, s);
    };
    const unloads: string[] = [];
    const scheduler = new ResidencyScheduler({ engine, budgetBytes: 100 * GIB, defaultKeepAliveMs: 60_000, log: silentLogger, clock, onUnloaded: (e) => unloads.push(`${e.component}:${e.reason}`) });
    (await scheduler.acquire('fake-tiny', 'vae')).release();
    const t = await scheduler.acquire('fake-tiny', 'transformer');
    expect(unloads).toEqual(['vae:out-of-memory']);
    expect(scheduler.list().map((s) => s.component)).toEqual(['transformer']);
    t.release();
  });

  it('pre-warms with models.load semantics and reports unloaded components in modelStatus', async () => {
    const { scheduler } = setup();
    await scheduler.load('fake-tiny', ['vae'], 600_000);
    const status = scheduler.modelStatus('fake-tiny', true);
    expect(status.components.find((c) => c.component === 'vae')).toMatchObject({ state: 'loaded', leases: 0, keepAliveMs: 600_000 });
    expect(status.components.find((c) => c.component === 'transformer')).toMatchObject({ state: 'unloaded' });
    await scheduler.unloadAll('shutdown');
    expect(scheduler.list()).toEqual([]);
  });

  it("counts a job's plan bytes against the budget instead of the footprint estimate, and unloads on 'memory-plan' with its detail", async () => {
    // Footprints: transformer 25 GiB, text encoder 15 GiB; budget 30 GiB. By footprint both cannot
    // be resident together; the memory plan says the transformer's weights are 12 GiB.
    const { scheduler, unloads } = setup(30);
    const te = await scheduler.acquire('fake-tiny', 'text-encoder', undefined, undefined, 14 * GIB);
    const tr = await scheduler.acquire('fake-tiny', 'transformer', undefined, undefined, 12 * GIB);
    expect(scheduler.list().map((c) => c.component).sort()).toEqual(['text-encoder', 'transformer']);
    te.release();
    expect(await scheduler.unload('fake-tiny', ['text-encoder'], true, 'memory-plan', 'job j: encoders released')).toEqual(['fake-tiny/text-encoder']);
    expect(unloads).toEqual(['text-encoder:memory-plan']);
    tr.release();
    // Without plan bytes the footprints count: 25 + 15 GiB does not fit 30 GiB while the transformer is leased.
    const held = await scheduler.acquire('fake-tiny', 'transformer');
    await expect(scheduler.acquire('fake-tiny', 'text-encoder')).rejects.toThrow(/budget of 30\.00 GiB is held by components in use/);
    held.release();
  });
});
