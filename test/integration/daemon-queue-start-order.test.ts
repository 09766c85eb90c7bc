// Issue 16: queue positions must stay right for clients when the head job starts. A real daemon
// (fake engine) with three queued jobs behind a pause: on resume the head starts, and the daemon
// announces the new run order (queue.reordered) so a client that only follows events sees the
// others move up (#2 → #1, #3 → #2), matching what jobs.list says.
import { afterEach, describe, expect, it } from 'vitest';
import { collectEvents, startDaemon, type DaemonProcess } from '../helpers/daemon-harness.js';

let d: DaemonProcess | null = null;
afterEach(async () => {
  await d?.cleanup();
  d = null;
});

describe('queue.reordered when a job starts', () => {
  it('announces the remaining run order each time the head job starts', { timeout: 60_000 }, async () => {
    d = await startDaemon({ env: { FRAMEPACK_FAKE_STEP_MS: '20' } });
    const client = await d.client('order-test');
    await client.call('queue.pause', {});
    const ids: string[] = [];
    for (const prompt of ['a', 'b', 'c']) ids.push((await client.call('jobs.submit', { image: d.image(), prompt, seconds: 1, steps: 2 })).jobId);
    const [a, b, c] = ids as [string, string, string];
    const watch = await collectEvents(client);
    await client.call('queue.resume', {});
    const events = await watch.until((ev) => ev.some((e) => e.event === 'job.started' && e.payload.jobId === b)
      && ev.some((e) => e.event === 'queue.reordered' && e.payload.queued.join() === c));
    // Right after a started: the rest of the queue in run order, before any later start.
    const startedA = events.findIndex((e) => e.event === 'job.started' && e.payload.jobId === a);
    const afterA = events.slice(startedA).find((e) => e.event === 'queue.reordered');
    expect(afterA?.payload).toEqual({ queued: [b, c] });
    const startedB = events.findIndex((e) => e.event === 'job.started' && e.payload.jobId === b);
    const afterB = events.slice(startedB).find((e) => e.event === 'queue.reordered');
    expect(afterB?.payload).toEqual({ queued: [c] });
    // The positions the event implies are the daemon's own.
    await watch.until((ev) => ev.some((e) => e.event === 'job.started' && e.payload.jobId === c));
    const startedC = watch.events.findIndex((e) => e.event === 'job.started' && e.payload.jobId === c);
    await watch.until((ev) => ev.slice(startedC).some((e) => e.event === 'queue.reordered'));
    expect(watch.events.slice(startedC).find((e) => e.event === 'queue.reordered')?.payload).toEqual({ queued: [] });
  });

  it('announces the run order when a queued job is cancelled', { timeout: 30_000 }, async () => {
    d = await startDaemon();
    const client = await d.client('cancel-order-test');
    await client.call('queue.pause', {});
    const ids: string[] = [];
    for (const prompt of ['a', 'b', 'c']) ids.push((await client.call('jobs.submit', { image: d.image(), prompt, seconds: 1, steps: 2 })).jobId);
    const [a, b, c] = ids as [string, string, string];
    const watch = await collectEvents(client);
    await client.call('jobs.cancel', { jobId: a });
    await watch.until((ev) => ev.some((e) => e.event === 'queue.reordered'));
    expect(watch.events.find((e) => e.event === 'queue.reordered')?.payload).toEqual({ queued: [b, c] });
    expect((await client.call('jobs.get', { jobId: b })).job.position).toBe(0);
  });
});
