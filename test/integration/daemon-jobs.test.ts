// A real daemon process (fake engine) on a temp socket: submit → events → exactly one terminal
// event, queue bounds, cancel, pause/resume, front-of-queue, refused bad jobs, failures and the
// out-of-memory retry, and 20 subscribers seeing the same terminal event.
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RpcClient } from '../../shared/ipc/rpc-client.js';
import { collectEvents, connectClient, startDaemon, terminalsOf, type DaemonProcess } from '../helpers/daemon-harness.js';

let d: DaemonProcess;
let c: RpcClient;

beforeAll(async () => {
  d = await startDaemon({ env: { FRAMEPACK_MAX_QUEUE: '3' } });
  c = await d.client();
});
afterAll(async () => {
  await d?.cleanup();
});

const waitIdle = async () => {
  for (let i = 0; i < 300; i++) {
    const s = await c.call('daemon.status', {});
    if (s.queue.running === null && s.queue.queued === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('daemon never became idle');
};

describe('daemon jobs (real process, fake engine)', () => {
  it('streams a job to exactly one terminal event, in order, with an output file', async () => {
    const col = await collectEvents(c);
    const { jobId, position } = await c.call('jobs.submit', { image: d.image(), prompt: 'a cat', seconds: 2, steps: 3 });
    expect(position).toBe(0);
    await col.until((ev) => terminalsOf(ev, jobId).length > 0);
    await new Promise((r) => setTimeout(r, 100)); // nothing may follow the terminal event
    const mine = col.events.filter((e) => e.event !== 'log' && 'jobId' in e.payload && e.payload.jobId === jobId).map((e) => e.event);
    expect(mine[0]).toBe('job.queued');
    expect(mine.at(-1)).toBe('job.succeeded');
    expect(terminalsOf(col.events, jobId)).toHaveLength(1);
    expect(mine.filter((e) => e === 'section.done')).toHaveLength(2);
    expect(mine.filter((e) => e === 'step')).toHaveLength(6);
    const seqs = col.events.map((e) => e.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    const started = col.events.filter((e) => e.event === 'section.started').map((e) => e.payload);
    expect(started).toMatchObject([{ index: 0, displayIndex: 1, total: 2 }, { index: 1, displayIndex: 0, total: 2 }]);
    const { job } = await c.call('jobs.get', { jobId });
    expect(job).toMatchObject({ state: 'succeeded', position: null });
    expect(existsSync(job.outputPath!)).toBe(true);
    expect(job.timing!.sectionSampleMs).toHaveLength(2);
    await col.sub.close();
  });

  it('answers QUEUE_FULL beyond the limit and cancels queued and running jobs (keeping the partial)', async () => {
    await waitIdle();
    const col = await collectEvents(c);
    // 250 ms steps: a cancel sent when a job's start (or a section's end) is seen must reach the
    // daemon within the section it is meant for (4 steps, 1 s) even on a loaded machine.
    const slow = { image: d.image(), prompt: '[step-ms=250]', seconds: 3, steps: 4 };
    const running = await c.call('jobs.submit', slow);
    await col.until((ev) => ev.some((e) => e.event === 'job.started' && e.payload.jobId === running.jobId));
    const queued: { jobId: string; position: number }[] = [];
    for (let i = 0; i < 3; i++) queued.push(await c.call('jobs.submit', slow));
    expect(queued.map((q) => q.position)).toEqual([0, 1, 2]);
    await expect(c.call('jobs.submit', slow)).rejects.toMatchObject({ code: 'QUEUE_FULL', retryable: true });

    const cancelledQueued = await c.call('jobs.cancel', { jobId: queued[1]!.jobId });
    expect(cancelledQueued.job.state).toBe('cancelled');
    expect((await c.call('jobs.get', { jobId: queued[2]!.jobId })).job.position).toBe(1);

    await col.until((ev) => ev.some((e) => e.event === 'section.done' && e.payload.jobId === running.jobId));
    await c.call('jobs.cancel', { jobId: running.jobId, when: 'now' });
    await col.until((ev) => terminalsOf(ev, running.jobId).length > 0);
    const [term] = terminalsOf(col.events, running.jobId);
    expect(term).toMatchObject({ event: 'job.cancelled', payload: { when: 'now' } });
    const partial = (term!.payload as { partialPath: string }).partialPath;
    expect(existsSync(partial)).toBe(true);

    // after-section: the running job stops once its current section is done.
    await col.until((ev) => ev.some((e) => e.event === 'job.started' && e.payload.jobId === queued[0]!.jobId));
    await c.call('jobs.cancel', { jobId: queued[0]!.jobId, when: 'after-section' });
    await col.until((ev) => terminalsOf(ev, queued[0]!.jobId).length > 0);
    expect(terminalsOf(col.events, queued[0]!.jobId)[0]).toMatchObject({ event: 'job.cancelled', payload: { when: 'after-section' } });
    expect(col.events.filter((e) => e.event === 'section.done' && e.payload.jobId === queued[0]!.jobId)).toHaveLength(1);
    await c.call('jobs.cancel', { jobId: queued[2]!.jobId });
    await col.until((ev) => terminalsOf(ev, queued[2]!.jobId).length > 0);
    await new Promise((r) => setTimeout(r, 100));
    for (const q of [running, ...queued]) expect(terminalsOf(col.events, q.jobId)).toHaveLength(1);
    await expect(c.call('jobs.get', { jobId: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await col.sub.close();
  });

  it('pause holds the queue, front-of-queue jumps it, resume runs it in order', async () => {
    await waitIdle();
    const col = await collectEvents(c);
    expect(await c.call('queue.pause', {})).toMatchObject({ paused: true });
    const a = await c.call('jobs.submit', { image: d.image(), prompt: 'a', seconds: 1, steps: 1 });
    const b = await c.call('jobs.submit', { image: d.image(), prompt: 'b', seconds: 1, steps: 1, front: true });
    expect(b.position).toBe(0);
    await new Promise((r) => setTimeout(r, 150));
    expect((await c.call('jobs.get', { jobId: a.jobId })).job).toMatchObject({ state: 'queued', position: 1 });
    expect(await c.call('queue.resume', {})).toMatchObject({ paused: false });
    await col.until((ev) => terminalsOf(ev, a.jobId).length > 0 && terminalsOf(ev, b.jobId).length > 0);
    const starts = col.events.filter((e) => e.event === 'job.started').map((e) => e.payload.jobId);
    expect(starts).toEqual([b.jobId, a.jobId]);
    await col.sub.close();
  });

  it('refuses bad jobs at submit with field errors; they never enter the queue', async () => {
    await waitIdle();
    const before = (await c.call('jobs.list', {})).jobs.length;
    await expect(c.call('jobs.submit', { image: '/nonexistent/x.png', prompt: 'p' })).rejects.toMatchObject({ code: 'INVALID_PARAMS', detail: { issues: [{ path: ['image'] }] } });
    await expect(c.call('jobs.submit', { image: d.image(), prompt: 'p', seconds: 0 })).rejects.toMatchObject({ code: 'INVALID_PARAMS', detail: { issues: [{ path: ['seconds'] }] } });
    await expect(c.call('jobs.submit', { image: d.image(), prompt: 'p', model: 'no-such-model' })).rejects.toMatchObject({ code: 'MODEL_MISSING' });
    await expect(c.call('jobs.submit', { image: d.image(), prompt: 'p', out: '/proc/no-such/clip.mp4' })).rejects.toMatchObject({ code: 'INVALID_PARAMS', detail: { issues: [{ path: ['out'] }] } });
    expect((await c.call('jobs.list', {})).jobs.length).toBe(before);
  });

  it('reports a failing job once with its partial, and retries once after an out-of-memory', async () => {
    await waitIdle();
    const col = await collectEvents(c);
    const bad = await c.call('jobs.submit', { image: d.image(), prompt: '[fail-at-section=2]', seconds: 3, steps: 2 });
    const oom = await c.call('jobs.submit', { image: d.image(), prompt: '[oom-at-load]', seconds: 1, steps: 1 });
    await col.until((ev) => terminalsOf(ev, bad.jobId).length > 0 && terminalsOf(ev, oom.jobId).length > 0);
    expect(terminalsOf(col.events, bad.jobId)).toMatchObject([{ event: 'job.failed', payload: { error: { code: 'INTERNAL' } } }]);
    expect((terminalsOf(col.events, bad.jobId)[0]!.payload as { partialPath: string | null }).partialPath).toMatch(/partial-1\.json$/);
    expect(terminalsOf(col.events, oom.jobId)).toMatchObject([{ event: 'job.succeeded' }]);
    expect(col.events.some((e) => e.event === 'model.unloaded' && e.payload.reason === 'out-of-memory')).toBe(true);
    await col.sub.close();
  });

  it('gives 20 subscribers the same terminal event while a normal client keeps working', async () => {
    await waitIdle();
    const clients = await Promise.all(Array.from({ length: 20 }, (_, i) => connectClient(d.socketFile, `sub-${i}`)));
    try {
      const cols = await Promise.all(clients.map((cl) => collectEvents(cl)));
      const { jobId } = await c.call('jobs.submit', { image: d.image(), prompt: 'crowd', seconds: 1, steps: 3 });
      const rtt = performance.now();
      await c.call('daemon.status', {});
      expect(performance.now() - rtt).toBeLessThan(2_000);
      await Promise.all(cols.map((col) => col.until((ev) => terminalsOf(ev, jobId).length > 0)));
      const terminals = cols.map((col) => terminalsOf(col.events, jobId));
      for (const t of terminals) expect(t).toHaveLength(1);
      expect(new Set(terminals.map((t) => JSON.stringify(t[0])))).toHaveProperty('size', 1);
    } finally {
      for (const cl of clients) cl.close();
    }
  });

  it('reports residency like ollama ps and honours load/unload', async () => {
    await waitIdle();
    await c.call('models.unload', {});
    expect((await c.call('ps', {})).components).toEqual([]);
    const loaded = await c.call('models.load', { model: 'fake-tiny', components: ['vae'], keepAlive: -1 });
    expect(loaded.model.components.find((x) => x.component === 'vae')).toMatchObject({ state: 'loaded', keepAliveMs: -1, expiresAt: null });
    const ps = await c.call('ps', {});
    expect(ps.components).toMatchObject([{ component: 'vae', device: 'fake:0', leases: 0 }]);
    expect(ps.memory?.rssBytes).toBeGreaterThan(0);
    await expect(c.call('models.load', { model: 'nope' })).rejects.toMatchObject({ code: 'MODEL_MISSING' });
    await c.call('models.unload', { model: 'fake-tiny', components: ['vae'] });
    expect((await c.call('ps', {})).components).toEqual([]);
    const log = readFileSync(`${d.dataDir}/daemon.log`, 'utf8');
    expect(log).toMatch(/"msg":"unloaded".*"reason":"requested"/);
  });
});
