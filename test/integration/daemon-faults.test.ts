// The daemon under faults, real processes (issue 15 items 1, 5, 6, 11, 12): a torn journal record
// followed by acknowledged requests and a kill -9; a second daemon on the same data dir; damaged
// journals; keepAlive beyond the timer limit; private modes. `daemon start` reporting is in
// daemon-start-failure.test.ts.
import { appendFileSync, chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { daemonEnv, readLog, spawnDaemon, startDaemon, tempBase, type DaemonProcess } from '../helpers/daemon-harness.js';

const PAUSED = { FRAMEPACK_START_POLICY: 'pause' };
const live: DaemonProcess[] = [];
const track = (d: DaemonProcess) => (live.push(d), d);
afterEach(async () => {
  for (const d of live.splice(0)) await d.cleanup();
});
const spec = (d: DaemonProcess, prompt: string) => ({ image: d.image(), prompt, seconds: 1, steps: 1 });
const journalOf = (d: DaemonProcess) => path.join(d.dataDir, 'journal.jsonl');
const damagedIn = (d: DaemonProcess) => readdirSync(d.dataDir).filter((f) => f.startsWith('journal.jsonl.damaged-'));

describe('journal: torn record + kill -9 (item 1)', () => {
  it('keeps every acknowledged job and cancel written after a torn record', async () => {
    let d = track(await startDaemon({ env: PAUSED }));
    let c = await d.client();
    const a = await c.call('jobs.submit', spec(d, 'a'));
    const b = await c.call('jobs.submit', spec(d, 'b'));
    // A write cut short (ENOSPC, or a crash of another writer): half a record, no newline.
    const text = readFileSync(journalOf(d), 'utf8');
    appendFileSync(journalOf(d), text.slice(0, Math.floor(text.length / 3)));
    const cJob = await c.call('jobs.submit', spec(d, 'c'));
    await c.call('jobs.cancel', { jobId: b.jobId });
    await d.kill('SIGKILL');

    d = track(await startDaemon({ base: d.base, env: PAUSED }));
    c = await d.client();
    expect((await c.call('jobs.get', { jobId: cJob.jobId })).job.state).toBe('queued');
    expect((await c.call('jobs.get', { jobId: b.jobId })).job.state).toBe('cancelled');
    expect((await c.call('jobs.list', { states: ['queued'] })).jobs.map((j) => j.id)).toEqual([a.jobId, cJob.jobId]);
    // The file with the torn bytes is kept for inspection and the warning names it.
    expect(damagedIn(d)).toHaveLength(1);
    expect(readLog(d)).toContain(`kept as ${path.join(d.dataDir, damagedIn(d)[0]!)}`);
  });
});

describe('damaged journal (item 6)', () => {
  it('cut to 100 bytes: starts, keeps the original aside, warns naming it', async () => {
    let d = track(await startDaemon({ env: PAUSED }));
    let c = await d.client();
    await c.call('jobs.submit', spec(d, 'a'));
    await c.call('jobs.submit', spec(d, 'b'));
    await d.kill('SIGTERM');
    const cut = readFileSync(journalOf(d)).subarray(0, 100);
    writeFileSync(journalOf(d), cut);
    d = track(await startDaemon({ base: d.base, env: PAUSED }));
    c = await d.client();
    expect((await c.call('jobs.list', {})).jobs).toEqual([]);
    const [kept] = damagedIn(d);
    expect(readFileSync(path.join(d.dataDir, kept!))).toEqual(cut);
    expect(readLog(d)).toMatch(new RegExp(`"level":"warn".*the job journal ${journalOf(d)} has 1 unreadable line\\(s\\).*kept as ${path.join(d.dataDir, kept!)}`));
  });

  it('a line `null` and random bytes among records: starts with every job', async () => {
    let d = track(await startDaemon({ env: PAUSED }));
    let c = await d.client();
    const ids = [(await c.call('jobs.submit', spec(d, 'a'))).jobId, (await c.call('jobs.submit', spec(d, 'b'))).jobId];
    await d.kill('SIGTERM');
    const lines = readFileSync(journalOf(d), 'utf8').split('\n');
    lines.splice(1, 0, 'null', '\u00ff\u0000\u0013random');
    writeFileSync(journalOf(d), lines.join('\n'));
    d = track(await startDaemon({ base: d.base, env: PAUSED }));
    c = await d.client();
    expect((await c.call('jobs.list', { states: ['queued'] })).jobs.map((j) => j.id)).toEqual(ids);
    expect(damagedIn(d)).toHaveLength(1);
  });

  it('a directory in its place: starts empty and keeps the directory aside', async () => {
    const first = track(await startDaemon({ env: PAUSED }));
    await first.kill('SIGTERM');
    rmSync(journalOf(first));
    mkdirSync(journalOf(first));
    writeFileSync(path.join(journalOf(first), 'x'), 'x');
    const d = track(await startDaemon({ base: first.base, env: PAUSED }));
    const c = await d.client();
    expect((await c.call('jobs.list', {})).jobs).toEqual([]);
    expect(readFileSync(path.join(d.dataDir, damagedIn(d)[0]!, 'x'), 'utf8')).toBe('x');
    expect(readLog(d)).toContain('is not a regular file');
  });
});

describe('one daemon per data dir (item 5)', () => {
  it('a second daemon with another runtime dir refuses, naming the first; after kill -9 the lock is taken over', async () => {
    const first = track(await startDaemon({ env: PAUSED }));
    const other = daemonEnv(first.base, { ...PAUSED, FRAMEPACK_RUNTIME_DIR: path.join(first.base, 'rt2') });
    const second = spawnDaemon(other);
    // Before the lock it would start and run the first one's jobs: never leave it running.
    const refused = await Promise.race([second.exited, new Promise((r) => setTimeout(() => r('still running'), 15_000))]);
    if (refused === 'still running') {
      second.child.kill('SIGKILL');
      await second.exited;
    }
    expect(refused).toBe(4);
    expect(second.output()).toContain(`the data dir ${first.dataDir} is in use by another framepack daemon (pid ${first.child.pid}, socket ${first.socketFile}`);
    await first.kill('SIGKILL');
    const third = spawnDaemon(other);
    try {
      const deadline = Date.now() + 20_000;
      while (!readLog(first).includes('taking over a stale data dir lock') || !readLog(first).match(/"msg":"ready".*rt2/)) {
        if (third.child.exitCode !== null || Date.now() > deadline) throw new Error(`third daemon did not start:\n${third.output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(JSON.parse(readFileSync(path.join(first.dataDir, 'daemon.lock'), 'utf8'))).toMatchObject({ pid: third.child.pid });
    } finally {
      third.child.kill('SIGKILL');
      await third.exited;
    }
  });
});

describe('keepAlive limits (item 11)', () => {
  it('refuses a keepAlive beyond the timer maximum and negative values other than -1', async () => {
    const d = track(await startDaemon({ env: PAUSED }));
    const c = await d.client();
    for (const keepAlive of [1e12, -2]) {
      const err = await c.call('models.load', { model: 'fake-tiny', keepAlive }).catch((e: unknown) => e);
      expect(err, String(keepAlive)).toMatchObject({ code: 'INVALID_PARAMS' });
    }
  });
});

describe('private modes (item 12)', () => {
  it('tightens the data dir to 0700 and writes the log, journal and lock 0600', async () => {
    const base = tempBase();
    const dataDir = path.join(base, 'data');
    mkdirSync(dataDir, { recursive: true });
    chmodSync(dataDir, 0o755);
    const d = track(await startDaemon({ base, env: PAUSED }));
    expect(statSync(d.dataDir).mode & 0o777).toBe(0o700);
    for (const f of ['daemon.log', 'journal.jsonl', 'daemon.lock']) expect(statSync(path.join(d.dataDir, f)).mode & 0o777, f).toBe(0o600);
    expect(statSync(path.join(d.dataDir, 'jobs')).mode & 0o777).toBe(0o700);
  });
});
