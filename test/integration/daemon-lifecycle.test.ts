// Lifecycle of a real daemon process: registration, SIGTERM exits 0 and requeues the running job,
// queued jobs survive a restart, kill -9 mid-job resumes from the last finished section with an
// output identical to an uninterrupted run, stale sockets are reclaimed, a live daemon is never
// stolen, daemon.shutdown is refused while others are attached, hostile peers don't kill it.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { collectEvents, connectClient, daemonEnv, readLog, spawnDaemon, startDaemon, tempBase, terminalsOf, type DaemonProcess } from '../helpers/daemon-harness.js';

const PAUSED = { FRAMEPACK_START_POLICY: 'pause' };
const live: DaemonProcess[] = [];
const track = (d: DaemonProcess) => (live.push(d), d);
afterEach(async () => {
  for (const d of live.splice(0)) await d.cleanup();
});

describe('daemon lifecycle (real process)', () => {
  it('registers itself, exits 0 on SIGTERM and removes its registration and socket', async () => {
    const d = track(await startDaemon());
    const reg = JSON.parse(readFileSync(path.join(d.runtimeDir, 'daemon.json'), 'utf8'));
    expect(reg).toMatchObject({ pid: d.child.pid, protocolVersion: 1, socketPath: d.socketFile, engine: 'fake' });
    const status = await (await d.client()).call('daemon.status', {});
    expect(status).toMatchObject({ pid: d.child.pid, socketPath: d.socketFile, instanceId: reg.instanceId });
    expect(await d.kill('SIGTERM')).toBe(0);
    expect(() => readFileSync(path.join(d.runtimeDir, 'daemon.json'))).toThrow();
    expect(readLog(d)).toMatch(/"msg":"shutting down".*"reason":"SIGTERM"/);
  });

  it('keeps queued jobs across a restart and runs them after it', async () => {
    let d = track(await startDaemon());
    let c = await d.client();
    await c.call('queue.pause', {});
    const a = await c.call('jobs.submit', { image: d.image(), prompt: 'a', seconds: 1, steps: 1 });
    const b = await c.call('jobs.submit', { image: d.image(), prompt: 'b', seconds: 1, steps: 1 });
    d = track(await d.restart(PAUSED));
    c = await d.client();
    const queued = (await c.call('jobs.list', { states: ['queued'] })).jobs.map((j) => j.id);
    expect(queued).toEqual([a.jobId, b.jobId]);
    const col = await collectEvents(c);
    await c.call('queue.resume', {});
    await col.until((ev) => terminalsOf(ev, a.jobId).length > 0 && terminalsOf(ev, b.jobId).length > 0);
    expect(terminalsOf(col.events, b.jobId)[0]!.event).toBe('job.succeeded');
  });

  it('after kill -9 mid-job, resumes from the last finished section and produces the same video', async () => {
    let d = track(await startDaemon());
    let c = await d.client();
    // 200 ms steps: the kill must land before the job's last two sections are done (1.2 s), also
    // when the test process sees the second section.done late on a loaded machine.
    const spec = { image: d.image(), prompt: '[step-ms=200]', seconds: 5, steps: 3, seed: 1234 };
    let col = await collectEvents(c);
    const { jobId } = await c.call('jobs.submit', spec);
    await col.until((ev) => ev.filter((e) => e.event === 'section.done' && e.payload.jobId === jobId).length >= 2);
    await d.kill('SIGKILL'); // leaves the socket file behind: the restart must reclaim it
    d = track(await d.restart(PAUSED));
    c = await d.client();
    col = await collectEvents(c);
    await c.call('queue.resume', {});
    await col.until((ev) => terminalsOf(ev, jobId).length > 0);
    const resumedSections = col.events.filter((e) => e.event === 'section.started' && e.payload.jobId === jobId).map((e) => (e.payload as { index: number }).index);
    expect(resumedSections[0]).toBeGreaterThanOrEqual(2);
    expect(resumedSections.at(-1)).toBe(3);
    expect(readLog(d)).toContain('resuming from checkpoint');
    const resumed = (await c.call('jobs.get', { jobId })).job;
    expect(resumed.state).toBe('succeeded');

    const fresh = await c.call('jobs.submit', spec);
    await col.until((ev) => terminalsOf(ev, fresh.jobId).length > 0);
    const uninterrupted = (await c.call('jobs.get', { jobId: fresh.jobId })).job;
    expect(readFileSync(resumed.outputPath!, 'utf8')).toBe(readFileSync(uninterrupted.outputPath!, 'utf8'));
    expect(JSON.parse(readFileSync(resumed.outputPath!, 'utf8')).sections).toHaveLength(4);
  });

  it('on SIGTERM mid-job finishes the section, exits 0, and the job resumes on restart', async () => {
    let d = track(await startDaemon());
    let c = await d.client();
    let col = await collectEvents(c);
    // 200 ms steps: the SIGTERM must come before the whole job is done (as above).
    const { jobId } = await c.call('jobs.submit', { image: d.image(), prompt: '[step-ms=200]', seconds: 5, steps: 3 });
    await col.until((ev) => ev.some((e) => e.event === 'step' && e.payload.jobId === jobId));
    expect(await d.kill('SIGTERM')).toBe(0);
    expect(terminalsOf(col.events, jobId)).toEqual([]);
    d = track(await startDaemon({ base: d.base, env: PAUSED }));
    c = await d.client();
    col = await collectEvents(c);
    await c.call('queue.resume', {});
    await col.until((ev) => terminalsOf(ev, jobId).length > 0);
    expect(terminalsOf(col.events, jobId)[0]!.event).toBe('job.succeeded');
    const first = col.events.find((e) => e.event === 'section.started' && e.payload.jobId === jobId)!.payload as { index: number };
    // The section running at SIGTERM was finished and kept: the restart continues after it.
    expect(first.index).toBeGreaterThanOrEqual(1);
  });

  it('reclaims a stale socket file, and never steals a live daemon', async () => {
    const base = tempBase();
    const env = daemonEnv(base);
    mkdirSync(env.FRAMEPACK_RUNTIME_DIR!, { recursive: true, mode: 0o700 });
    writeFileSync(path.join(env.FRAMEPACK_RUNTIME_DIR!, 'fp.sock'), 'left over');
    const d = track(await startDaemon({ base }));
    expect(readLog(d)).toContain('removing a stale socket');
    const second = spawnDaemon(env);
    expect(await second.exited).toBe(3);
    expect(second.output()).toContain('already listening');
    const c = await d.client();
    expect((await c.call('daemon.status', {})).pid).toBe(d.child.pid);
  });

  it('exits 0 after the idle timeout, but not while a client is attached', async () => {
    const d = track(await startDaemon({ env: { FRAMEPACK_IDLE_TIMEOUT: '0.4s' } }));
    const c = await d.client();
    await new Promise((r) => setTimeout(r, 800));
    expect(d.child.exitCode).toBeNull();
    c.close();
    expect(await d.exited).toBe(0);
    expect(readLog(d)).toMatch(/"msg":"shutting down".*"reason":"idle for 400 ms"/);
  });

  it('refuses daemon.shutdown while others are attached unless forced', async () => {
    const d = track(await startDaemon());
    const a = await d.client('a');
    await d.client('b');
    await expect(a.call('daemon.shutdown', {})).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    expect(await a.call('daemon.shutdown', { force: true, reason: 'test' })).toEqual({ accepted: true });
    expect(await d.exited).toBe(0);
  });

  it('survives hostile peers: garbage, invalid JSON, unknown methods, wrong versions, mid-stream disconnects', async () => {
    const d = track(await startDaemon());
    const good = await d.client('good');
    const raw = (bytes: string | Buffer) => new Promise<void>((resolve) => {
      const s = net.connect(d.socketFile, () => { s.write(bytes); setTimeout(() => { s.destroy(); resolve(); }, 30); });
      s.on('error', () => resolve());
    });
    await raw(Buffer.from([0, 1, 2, 255, 12, 12]));
    await raw('{not json\f');
    await raw(`${'x'.repeat(2 * 1024 * 1024)}\f`);
    await raw('{"type":"req","data":{"id":1,"method":"hello","params":{"protocolVersion":99,"client":{"name":"old"}}}}\f');
    await raw('{"type":"req","data":{"id":1,"method":"nope"}}\f');
    const leaver = await connectClient(d.socketFile, 'leaver');
    await leaver.subscribe({}, { onEvent: () => {} });
    await leaver.call('jobs.submit', { image: d.image(), prompt: 'x', seconds: 1, steps: 2 });
    leaver.close();
    const { jobs } = await good.call('jobs.list', {});
    expect(jobs).toHaveLength(1);
    expect((await good.call('daemon.status', {})).pid).toBe(d.child.pid);
  });
});

void rmSync;
