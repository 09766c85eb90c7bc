// RpcClient against a real RpcServer over memory transports: typed calls, ids, timeouts, AbortSignal
// cancellation crossing the wire, subscriptions with snapshot + numbered deltas, and resuming from
// the last seq after a reconnect.
import { afterEach, describe, expect, it } from 'vitest';
import { createTransportPair, type MemoryTransportEnd } from './memory-transport.js';
import { RpcServer } from './rpc-server.js';
import { RpcClient, type ConnectionState } from './rpc-client.js';
import { fakeDaemon } from '../../test/helpers/protocol-fixtures.js';
import { PROTOCOL_VERSION, RpcError, type EventMessage, type Frame } from '../protocol/index.js';
import type { MessageTransport } from './transport.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

const T = '2026-11-28T03:00:00.000Z';

function setup(opts: { requestTimeoutMs?: number } = {}) {
  const daemon = fakeDaemon();
  const server = new RpcServer({ handlers: daemon.handlers, snapshot: daemon.snapshot, instanceId: 'inst-1' });
  const sent: Frame[] = [];
  let current: MemoryTransportEnd | undefined;
  const client = new RpcClient({
    client: { name: 'test-client' },
    ...opts,
    connect: async () => {
      const [c, s] = createTransportPair();
      server.accept(s);
      current = c;
      // Record what the client writes, to check ids and cancel frames.
      const send = c.send.bind(c);
      c.send = (f: Frame) => (sent.push(f), send(f));
      return c as MessageTransport;
    },
  });
  cleanups.push(() => client.close(), () => server.close());
  return { daemon, server, client, sent, drop: () => current!.close() };
}

const tick = () => new Promise((r) => setTimeout(r, 2));

describe('RpcClient', () => {
  it('connects with hello and makes typed calls with increasing ids', async () => {
    const { client, sent } = setup();
    const states: ConnectionState[] = [];
    client.onStateChange((s) => states.push(s));
    const hello = await client.connect();
    expect(hello).toMatchObject({ protocolVersion: PROTOCOL_VERSION, instanceId: 'inst-1', daemonVersion: '0.1.0-test' });
    const submitted = await client.call('jobs.submit', { image: '/a.png', prompt: 'p', seconds: 2 });
    expect(submitted).toEqual({ jobId: 'job-1', position: 0 });
    const { job } = await client.call('jobs.get', { jobId: 'job-1' });
    expect(job.spec.seconds).toBe(2);
    expect(sent.map((f) => (f.type === 'req' ? [f.data.id, f.data.method] : f.type))).toEqual([[1, 'hello'], [2, 'jobs.submit'], [3, 'jobs.get']]);
    expect(states).toEqual(['connecting', 'ready']);
  });

  it('rejects with the daemon’s typed error, including INVALID_PARAMS issues', async () => {
    const { client } = setup();
    await client.connect();
    await expect(client.call('jobs.get', { jobId: 'job-404' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'no job job-404' });
    const err = (await client.call('jobs.submit', { image: '/a.png', prompt: 'p', crf: 99 }).catch((e: unknown) => e)) as RpcError;
    expect(err).toBeInstanceOf(RpcError);
    expect(err.code).toBe('INVALID_PARAMS');
    expect(err.detail).toMatchObject({ issues: [{ path: ['crf'], code: 'too_big' }] });
  });

  it('a timeout rejects with TIMEOUT and sends cancel so the daemon stops', async () => {
    const { client, daemon, sent } = setup({ requestTimeoutMs: 20 });
    await client.connect();
    await expect(client.call('models.load', { model: 'slow' })).rejects.toMatchObject({ code: 'TIMEOUT', retryable: true });
    await tick();
    expect(sent.at(-1)).toEqual({ type: 'cancel', data: { id: 2 } });
    expect(daemon.aborted).toEqual(['slow']);
    expect(await client.call('ps', {})).toEqual({ components: [], memory: null });
  });

  it('an AbortSignal cancels the call on the wire; an already-aborted signal sends nothing', async () => {
    const { client, daemon, sent } = setup();
    await client.connect();
    const ac = new AbortController();
    const call = client.call('models.load', { model: 'slow' }, { signal: ac.signal });
    await tick();
    ac.abort();
    await expect(call).rejects.toMatchObject({ code: 'CANCELLED' });
    await tick();
    expect(daemon.aborted).toEqual(['slow']);
    const before = sent.length;
    await expect(client.call('ps', {}, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(sent.length).toBe(before);
  });

  it('a dropped connection rejects pending calls with DISCONNECTED and refuses new ones', async () => {
    const { client, drop } = setup();
    await client.connect();
    const call = client.call('models.load', { model: 'slow' }, { timeoutMs: 0 });
    await tick();
    drop();
    await expect(call).rejects.toMatchObject({ code: 'DISCONNECTED' });
    expect(client.state).toBe('disconnected');
    await expect(client.call('ps', {})).rejects.toMatchObject({ code: 'DISCONNECTED' });
  });

  it('a protocol version the daemon refuses leaves the client incompatible', async () => {
    const daemon = fakeDaemon();
    const server = new RpcServer({ handlers: daemon.handlers, snapshot: daemon.snapshot });
    // A daemon from the future: its hello check uses another version.
    const [c, s] = createTransportPair();
    s.onMessage((f) => {
      const { id } = (f as { data: { id: number } }).data;
      s.send({ type: 'res', data: { id, ok: false, error: { code: 'PROTOCOL_MISMATCH', message: 'daemon speaks 2', retryable: false } } });
    });
    const client = new RpcClient({ client: { name: 't' }, connect: async () => c });
    cleanups.push(() => server.close());
    await expect(client.connect()).rejects.toMatchObject({ code: 'PROTOCOL_MISMATCH' });
    expect(client.state).toBe('incompatible');
  });

  it('an unreadable result is a protocol problem, not a crash', async () => {
    const [c, s] = createTransportPair();
    s.onMessage((f) => {
      const { id, method } = (f as { data: { id: number; method: string } }).data;
      const result = method === 'hello' ? { protocolVersion: 1, daemonVersion: 'x', pid: 1, instanceId: 'i', features: [], maxFrameBytes: 10 } : { components: 'many' };
      s.send({ type: 'res', data: { id, ok: true, result } });
      s.send({ type: 'evt', data: { sub: 'nobody', seq: 1, event: 'log', payload: {} } });
      s.injectRawToPeer({ type: 'res', data: 'garbage' });
    });
    const client = new RpcClient({ client: { name: 't' }, connect: async () => c });
    const problems: string[] = [];
    client.onProtocolError((m) => problems.push(m));
    await client.connect();
    await expect(client.call('ps', {})).rejects.toMatchObject({ code: 'PROTOCOL_MISMATCH' });
    await tick();
    expect(problems.some((p) => p.startsWith("invalid 'ps' result"))).toBe(true);
    expect(problems.some((p) => p.startsWith('unreadable frame'))).toBe(true);
    expect(client.state).toBe('incompatible');
    client.close();
  });

  it('drops duplicate and stale seqs and events for unknown subscriptions', async () => {
    const [c, s] = createTransportPair();
    const evt = (sub: string, seq: number, message: string) =>
      s.send({ type: 'evt', data: { sub, seq, event: 'log', payload: { time: T, level: 'info', scope: 't', message } } });
    s.onMessage((f) => {
      const { id, method } = (f as { data: { id: number; method: string } }).data;
      if (method === 'hello') {
        s.send({ type: 'res', data: { id, ok: true, result: { protocolVersion: 1, daemonVersion: 'x', pid: 1, instanceId: 'i', features: [], maxFrameBytes: 10 } } });
        return;
      }
      s.send({ type: 'res', data: { id, ok: true, result: { subscription: 's1', instanceId: 'i', seq: 5, snapshot: { jobs: [], queue: { paused: false, queued: 0, running: null, limit: 1 }, models: [], memory: null }, replayed: 0 } } });
      for (const [sub, seq, m] of [['s1', 5, 'stale'], ['s1', 6, 'a'], ['s1', 6, 'dup'], ['s9', 7, 'other'], ['s1', 8, 'b']] as const) evt(sub, seq, m);
    });
    const client = new RpcClient({ client: { name: 't' }, connect: async () => c });
    cleanups.push(() => client.close());
    await client.connect();
    const got: string[] = [];
    await client.subscribe({}, { onEvent: (e) => e.event === 'log' && got.push(`${e.seq}:${e.payload.message}`) });
    await tick();
    expect(got).toEqual(['6:a', '8:b']);
  });

  it('subscribe delivers the snapshot, then every delta in seq order', async () => {
    const { client, server } = setup();
    await client.connect();
    await client.call('jobs.submit', { image: '/a.png', prompt: 'p' });
    server.publish('log', { time: T, level: 'info', scope: 't', message: 'old' });
    const seen: (string | number)[] = [];
    const sub = await client.subscribe({ topics: ['jobs', 'logs'] }, {
      onSnapshot: (s, seq) => seen.push(`snapshot@${seq}:${s.jobs.length}`),
      onEvent: (e: EventMessage) => seen.push(`${e.seq}:${e.event}`),
    });
    server.publish('job.started', { jobId: 'job-1', startedAt: T });
    server.publish('telemetry', { at: T, rssBytes: 1, ramUsedBytes: 1, ramTotalBytes: 2, vram: [] });
    server.publish('step', { jobId: 'job-1', section: 0, step: 1, steps: 25, secPerStep: 1.5, etaSectionMs: 36_000, etaJobMs: 90_000 });
    await tick();
    expect(seen).toEqual(['snapshot@1:1', '2:job.started', '4:step']);
    expect(sub.lastSeq).toBe(4);
    await sub.close();
    server.publish('job.started', { jobId: 'job-1', startedAt: T });
    await tick();
    expect(seen).toHaveLength(3);
  });

  it('reconnect resubscribes from the last seq: missed events are replayed once, without a new snapshot', async () => {
    const { client, server, drop } = setup();
    await client.connect();
    const snapshots: number[] = [];
    const events: number[] = [];
    await client.subscribe({}, { onSnapshot: (_, seq) => snapshots.push(seq), onEvent: (e) => events.push(e.seq) });
    const log = (message: string) => server.publish('log', { time: T, level: 'info', scope: 't', message });
    log('1');
    await tick();
    drop();
    await tick();
    log('2'); // missed while disconnected
    log('3');
    await client.reconnect();
    log('4');
    await tick();
    expect(snapshots).toEqual([0]);
    expect(events).toEqual([1, 2, 3, 4]);
    expect(client.state).toBe('ready');
  });

  it('reconnect to a restarted daemon (new instance) falls back to a fresh snapshot', async () => {
    const daemon = fakeDaemon();
    let server = new RpcServer({ handlers: daemon.handlers, snapshot: daemon.snapshot, instanceId: 'first' });
    let end: MemoryTransportEnd | undefined;
    const client = new RpcClient({
      client: { name: 't' },
      connect: async () => {
        const [c, s] = createTransportPair();
        server.accept(s);
        end = c;
        return c;
      },
    });
    cleanups.push(() => client.close(), () => server.close());
    await client.connect();
    const snapshots: string[] = [];
    await client.subscribe({}, { onSnapshot: (_, seq) => snapshots.push(`${client.hello!.instanceId}@${seq}`), onEvent: () => {} });
    server.publish('log', { time: T, level: 'info', scope: 't', message: 'x' });
    end!.close();
    server.close();
    server = new RpcServer({ handlers: daemon.handlers, snapshot: daemon.snapshot, instanceId: 'second' });
    await client.reconnect();
    expect(snapshots).toEqual(['first@0', 'second@0']);
  });
});
