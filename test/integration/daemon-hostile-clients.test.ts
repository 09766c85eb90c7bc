// Hostile socket clients against the REAL daemon process (issue 15, items 3 and 4): idle
// connections that never say hello, more connections than the limit, a client with more
// subscriptions than the limit, and a subscriber that never reads. The daemon must keep answering
// everyone else, refuse the excess with a clear error, and keep daemon.log small.
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../shared/protocol/index.js';
import type { RpcClient } from '../../shared/ipc/rpc-client.js';
import { connectClient, readLog, REPO_ROOT, startDaemon, type DaemonProcess } from '../helpers/daemon-harness.js';

interface Run { code: number; stdout: string; stderr: string }

function framepack(d: DaemonProcess, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(REPO_ROOT, 'bin/framepack.js'), ...args], { env: d.env, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** A raw socket client: writes frames by hand and keeps what it reads (until paused). */
interface RawClient {
  socket: net.Socket;
  text(): string;
  send(frames: unknown[]): void;
  closed: Promise<void>;
}

const opened: net.Socket[] = [];

function rawClient(socketFile: string): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketFile);
    opened.push(socket);
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (received += d));
    socket.on('error', () => {});
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.once('connect', () => resolve({
      socket, closed, text: () => received,
      send: (frames) => void socket.write(frames.map((f) => `${JSON.stringify(f)}\f`).join('')),
    }));
    socket.once('error', reject);
  });
}

const helloFrame = (id: number) => ({ type: 'req', data: { id, method: 'hello', params: { protocolVersion: PROTOCOL_VERSION, client: { name: 'hostile' } } } });

async function waitFor(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const logLines = (d: DaemonProcess, needle: string) => readLog(d).split('\n').filter((l) => l.includes(needle));

afterEach(() => {
  for (const s of opened.splice(0)) s.destroy();
});

describe('idle connections (default limits, 1.5 s hello timeout)', () => {
  let d: DaemonProcess;
  beforeAll(async () => {
    d = await startDaemon({ env: { FRAMEPACK_HELLO_TIMEOUT: '1500ms' } });
  });
  afterAll(async () => {
    await d?.cleanup();
  });

  it('150 idle connections do not lock out `framepack jobs` or `daemon status`', async () => {
    for (let i = 0; i < 150; i++) await rawClient(d.socketFile);
    const jobs = await framepack(d, ['jobs', '--json']);
    expect(jobs.stderr).not.toContain('EPIPE');
    expect(jobs.code).toBe(0);
    const status = await framepack(d, ['daemon', 'status', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ running: true });
  });

  it('a connection that never says hello is told why and closed after the hello timeout', async () => {
    const silent = await rawClient(d.socketFile);
    const started = Date.now();
    await silent.closed;
    const elapsedMs = Date.now() - started;
    expect(elapsedMs).toBeGreaterThan(1_000);
    expect(elapsedMs).toBeLessThan(5_000);
    const frame = JSON.parse(silent.text().split('\f')[0]!);
    expect(frame).toMatchObject({ type: 'res', data: { id: null, ok: false, error: { code: 'LIMIT_EXCEEDED', detail: { limit: 'helloTimeout' } } } });
    expect(frame.data.error.message).toContain('no hello within 1500 ms');
  });

  it('a client that said hello stays connected past the hello timeout', async () => {
    const c = await connectClient(d.socketFile, 'patient');
    await new Promise((r) => setTimeout(r, 2_000));
    expect(c.state).toBe('ready');
    expect((await c.call('daemon.status', {})).pid).toBe(d.child.pid);
    c.close();
  });
});

describe('connection limit (FRAMEPACK_MAX_CONNECTIONS=6)', () => {
  let d: DaemonProcess;
  const clients: RpcClient[] = [];
  beforeAll(async () => {
    d = await startDaemon({ env: { FRAMEPACK_MAX_CONNECTIONS: '6' } });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await d?.cleanup();
  });

  it('connections without hello make room for a real client', async () => {
    const idle: RawClient[] = [];
    for (let i = 0; i < 12; i++) idle.push(await rawClient(d.socketFile));
    const c = await connectClient(d.socketFile, 'real');
    expect((await c.call('jobs.list', {})).jobs).toEqual([]);
    c.close();
    // The displaced ones were told why.
    await waitFor(() => idle.filter((r) => r.text().includes('LIMIT_EXCEEDED')).length >= 6, 5_000, 'displaced sockets to get the refusal');
    expect(idle.find((r) => r.text().includes('LIMIT_EXCEEDED'))!.text()).toContain('never said hello');
  });

  it('past the limit of clients that said hello, a new one gets LIMIT_EXCEEDED, not EPIPE', async () => {
    for (let i = 0; i < 6; i++) clients.push(await connectClient(d.socketFile, `holder-${i}`));
    await expect(connectClient(d.socketFile, 'one-too-many')).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED', retryable: true });
    const jobs = await framepack(d, ['jobs']);
    expect(jobs.code).not.toBe(0);
    expect(jobs.stderr).toContain('too many connections: 6 are open (the limit)');
    expect(jobs.stderr).not.toContain('EPIPE');
    // `daemon status` must not say "not running" while the daemon is up.
    const status = await framepack(d, ['daemon', 'status', '--json']);
    expect(status.code).toBe(1);
    expect(JSON.parse(status.stdout)).toMatchObject({ running: true, error: expect.stringContaining('too many connections') });
    // The holders are unaffected, and one leaving lets the next one in.
    expect((await clients[0]!.call('daemon.status', {})).pid).toBe(d.child.pid);
    clients.pop()!.close();
    // The slot is free once the daemon has seen that close, which a loaded machine may take more
    // than a fixed pause to get to: until then the limit still refuses (retryable), then never again.
    const deadline = Date.now() + 10_000;
    let late: RpcClient | null = null;
    while (!late) {
      late = await connectClient(d.socketFile, 'late').catch((err: { code?: string }) => {
        if (err.code !== 'LIMIT_EXCEEDED' || Date.now() > deadline) throw err;
        return new Promise<null>((r) => setTimeout(() => r(null), 100));
      });
    }
    expect(late.state).toBe('ready');
    late.close();
  });
});

describe('subscriptions and a client that never reads', () => {
  let d: DaemonProcess;
  beforeAll(async () => {
    d = await startDaemon({ env: { FRAMEPACK_FAKE_STEP_MS: '1' } });
  });
  afterAll(async () => {
    await d?.cleanup();
  });

  it('the 65th subscription on one connection is refused with a clear error', async () => {
    const c = await connectClient(d.socketFile, 'subscriber');
    for (let i = 0; i < 64; i++) await c.subscribe({ topics: ['jobs'] }, { onEvent: () => {} });
    await expect(c.subscribe({ topics: ['jobs'] }, { onEvent: () => {} })).rejects.toMatchObject({
      code: 'LIMIT_EXCEEDED',
      message: expect.stringContaining('too many subscriptions: this connection holds 64 (the limit is 64)'),
    });
    c.close();
  });

  it('a non-reading client with 500 subscription requests is dropped once, logged once, and the log stays small', async () => {
    const logBytesBefore = statSync(path.join(d.dataDir, 'daemon.log')).size;
    const hostile = await rawClient(d.socketFile);
    hostile.send([helloFrame(1), ...Array.from({ length: 500 }, (_, i) => ({ type: 'req', data: { id: i + 2, method: 'subscribe', params: {} } }))]);
    await waitFor(() => (hostile.text().match(/"ok":true/g) ?? []).length >= 65, 10_000, 'hello and 64 subscriptions');
    expect((hostile.text().match(/LIMIT_EXCEEDED/g) ?? []).length).toBe(436);
    // From now on it reads nothing; every event is queued 64 times for it.
    hostile.socket.pause();
    const c = await connectClient(d.socketFile, 'worker');
    const image = d.image();
    const spec = { image, prompt: 'storm', seconds: 4, steps: 25 };
    let dropped = false;
    void hostile.closed.then(() => (dropped = true));
    for (let round = 0; round < 40 && !dropped; round++) {
      await c.call('jobs.submit', spec);
      await new Promise((r) => setTimeout(r, 250));
      // Pipeline requests without reading their answers: each answer waits for it too.
      hostile.send(Array.from({ length: 200 }, (_, i) => ({ type: 'req', data: { id: 10_000 + round * 1000 + i, method: 'jobs.list', params: {} } })));
    }
    expect(dropped).toBe(true);
    // Everyone else is still served at once.
    const started = Date.now();
    await c.call('daemon.status', {});
    expect(Date.now() - started).toBeLessThan(1_000);
    await c.call('queue.pause', {});
    c.close();
    await new Promise((r) => setTimeout(r, 300));
    expect(logLines(d, 'client dropped: it did not read its frames')).toHaveLength(1);
    expect(logLines(d, 'ERR_IPC_BACKPRESSURE')).toHaveLength(1);
    const logBytes = statSync(path.join(d.dataDir, 'daemon.log')).size - logBytesBefore;
    // Measured: the jobs' own lines and the one drop line; before the fix this was >500 lines per drop.
    expect(logBytes).toBeLessThan(256 * 1024);
  });

  it('300 connections sending garbage write at most 20 log lines between them', async () => {
    const logFile = path.join(d.dataDir, 'daemon.log');
    const before = statSync(logFile).size;
    const beforeLines = logLines(d, 'connection dropped by the guarded parser').length;
    const startedMs = Date.now();
    for (let batch = 0; batch < 10; batch++) {
      const garbage = await Promise.all(Array.from({ length: 30 }, () => rawClient(d.socketFile)));
      for (const g of garbage) g.socket.write('\u0000\u0001 not json at all \f');
      await Promise.all(garbage.map((g) => g.closed));
    }
    const c = await connectClient(d.socketFile, 'after-garbage');
    expect((await c.call('daemon.status', {})).pid).toBe(d.child.pid);
    c.close();
    const lines = logLines(d, 'connection dropped by the guarded parser').length - beforeLines;
    // 20 lines per message and 10 s window (one window here unless the machine is very slow), a
    // few KB; without the limit, one line per connection: 300.
    const windows = Math.floor((Date.now() - startedMs) / 10_000) + 1;
    expect(lines).toBeGreaterThan(0);
    expect(lines).toBeLessThanOrEqual(20 * windows);
    expect(statSync(logFile).size - before).toBeLessThan(16 * 1024);
  });
});
