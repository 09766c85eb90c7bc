// The server over a memory transport, driven by a raw peer that writes frames by hand, so every
// answer is checked byte-for-byte as a client in any language would see it.
import { afterEach, describe, expect, it } from 'vitest';
import { createTransportPair, type MemoryTransportEnd } from './memory-transport.js';
import { RpcServer } from './rpc-server.js';
import { fakeDaemon } from '../../test/helpers/protocol-fixtures.js';
import { PROTOCOL_VERSION } from '../protocol/index.js';

interface Peer {
  end: MemoryTransportEnd;
  frames: unknown[];
  send(frame: unknown): void;
  next(): Promise<any>;
}

const servers: RpcServer[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

function setup(opts: { historySize?: number; maxConnections?: number; helloTimeoutMs?: number; maxSubscriptionsPerConnection?: number } = {}) {
  const daemon = fakeDaemon();
  const logs: string[] = [];
  const server = new RpcServer({ handlers: daemon.handlers, snapshot: daemon.snapshot, instanceId: 'inst-1', log: (level, msg) => logs.push(`${level} ${msg}`), ...opts });
  servers.push(server);
  const peer = (): Peer => {
    const [client, serverEnd] = createTransportPair();
    server.accept(serverEnd);
    const frames: unknown[] = [];
    const waiters: ((f: unknown) => void)[] = [];
    client.onMessage((f) => (waiters.length ? waiters.shift()!(f) : frames.push(f)));
    return {
      end: client,
      frames,
      send: (f) => client.injectRawToPeer(f),
      next: () => (frames.length ? Promise.resolve(frames.shift()) : new Promise((r) => waiters.push(r))),
    };
  };
  return { daemon, server, peer, logs };
}

async function hello(p: Peer): Promise<void> {
  p.send({ type: 'req', data: { id: 0, method: 'hello', params: { protocolVersion: PROTOCOL_VERSION, client: { name: 'test' } } } });
  expect((await p.next()).data.ok).toBe(true);
}

const req = (id: unknown, method: string, params?: unknown) => ({ type: 'req', data: params === undefined ? { id, method } : { id, method, params } });

describe('RpcServer', () => {
  it('hello answers versions and instance; a wrong version is PROTOCOL_MISMATCH', async () => {
    const { peer } = setup();
    const p = peer();
    p.send(req(1, 'hello', { protocolVersion: PROTOCOL_VERSION + 1, client: { name: 't' } }));
    expect(await p.next()).toEqual({
      type: 'res',
      data: { id: 1, ok: false, error: { code: 'PROTOCOL_MISMATCH', message: `daemon speaks protocol ${PROTOCOL_VERSION}, client sent ${PROTOCOL_VERSION + 1}`, retryable: false, detail: { server: PROTOCOL_VERSION, client: PROTOCOL_VERSION + 1 } } },
    });
    p.send(req(2, 'ps', {}));
    expect((await p.next()).data.error.code).toBe('PROTOCOL_MISMATCH');
    p.send(req(3, 'hello', { protocolVersion: PROTOCOL_VERSION, client: { name: 't', version: '1' } }));
    expect(await p.next()).toEqual({
      type: 'res',
      data: { id: 3, ok: true, result: { protocolVersion: PROTOCOL_VERSION, daemonVersion: '0.1.0-test', pid: process.pid, instanceId: 'inst-1', features: ['test'], maxFrameBytes: 1048576 } },
    });
  });

  it('answers malformed frames with INVALID_PARAMS (id when readable, else null) and keeps serving', async () => {
    const { peer } = setup();
    const p = peer();
    await hello(p);
    const bad: [unknown, unknown][] = [
      ['not an object', null],
      [{ type: 'req', data: { method: 'ps' } }, null],
      [{ type: 'req', data: { id: 7 } }, 7],
      [{ type: 'bogus', data: { id: 8 } }, 8],
      [{ type: 'req', data: { id: { x: 1 }, method: 'ps' } }, null],
    ];
    for (const [frame, id] of bad) {
      p.send(frame);
      const res = await p.next();
      expect(res.data, JSON.stringify(frame)).toMatchObject({ id, ok: false, error: { code: 'INVALID_PARAMS', retryable: false } });
      expect(res.data.error.detail.issues.length).toBeGreaterThan(0);
    }
    p.send(req(9, 'nope.method', {}));
    expect((await p.next()).data).toMatchObject({ id: 9, ok: false, error: { code: 'NOT_FOUND', detail: { method: 'nope.method' } } });
    p.send(req(10, 'ps'));
    expect((await p.next()).data).toEqual({ id: 10, ok: true, result: { components: [], memory: null } });
  });

  // One invalid params object per method, with the path the issue must name.
  it.each([
    ['hello', { protocolVersion: 'one', client: { name: 'x' } }, ['protocolVersion']],
    ['jobs.submit', { image: '/a.png', prompt: 'p', seconds: 500 }, ['seconds']],
    ['jobs.list', { states: ['sleeping'] }, ['states', 0]],
    ['jobs.get', { jobId: 'bad id!' }, ['jobId']],
    ['jobs.cancel', { jobId: 'j1', when: 'tomorrow' }, ['when']],
    ['queue.pause', { unload: 'yes' }, ['unload']],
    ['queue.resume', { extra: true }, []],
    ['models.list', { x: 1 }, []],
    ['models.load', { model: 'm', keepAlive: 'ages' }, ['keepAlive']],
    ['models.unload', { components: ['gpu'] }, ['components', 0]],
    ['ps', [], []],
    ['daemon.status', 'now', []],
    ['daemon.shutdown', { force: 1 }, ['force']],
    ['subscribe', { topics: ['weather'] }, ['topics', 0]],
    ['unsubscribe', {}, ['subscription']],
  ])('%s rejects bad params with INVALID_PARAMS and the zod issue path', async (method, params, path) => {
    const { peer } = setup();
    const p = peer();
    if (method !== 'hello') await hello(p);
    p.send(req(5, method, params));
    const res = await p.next();
    expect(res.data).toMatchObject({ id: 5, ok: false, error: { code: 'INVALID_PARAMS' } });
    expect(res.data.error.detail.issues[0].path).toEqual(path);
  });

  it('maps handler errors: typed codes pass through, anything else is INTERNAL with a ref', async () => {
    const { peer, logs } = setup();
    const p = peer();
    await hello(p);
    p.send(req(1, 'jobs.get', { jobId: 'job-99' }));
    expect((await p.next()).data.error).toEqual({ code: 'NOT_FOUND', message: 'no job job-99', retryable: false });
    p.send(req(2, 'daemon.status'));
    const internal = (await p.next()).data.error;
    expect(internal.code).toBe('INTERNAL');
    expect(internal.message).toContain(internal.detail.ref);
    expect(logs).toContain('error handler failed');
    for (let i = 0; i < 3; i++) p.send(req(10 + i, 'jobs.submit', { image: '/a.png', prompt: 'p' }));
    for (let i = 0; i < 3; i++) expect((await p.next()).data).toEqual({ id: 10 + i, ok: true, result: { jobId: `job-${i + 1}`, position: i } });
    p.send(req(13, 'jobs.submit', { image: '/a.png', prompt: 'p' }));
    expect((await p.next()).data.error).toMatchObject({ code: 'QUEUE_FULL', retryable: true });
  });

  it('cancel aborts the handler and answers CANCELLED once; a duplicate in-flight id is refused', async () => {
    const { peer, daemon } = setup();
    const p = peer();
    await hello(p);
    p.send(req('slow-1', 'models.load', { model: 'slow' }));
    p.send(req('slow-1', 'models.load', { model: 'slow' }));
    expect((await p.next()).data).toMatchObject({ id: 'slow-1', ok: false, error: { code: 'INVALID_PARAMS', message: 'request id "slow-1" is already in flight' } });
    p.send({ type: 'cancel', data: { id: 'slow-1' } });
    expect((await p.next()).data).toMatchObject({ id: 'slow-1', ok: false, error: { code: 'CANCELLED' } });
    p.send({ type: 'cancel', data: { id: 'slow-1' } }); // late cancel: ignored, no answer
    p.send(req(2, 'ps'));
    expect((await p.next()).data.id).toBe(2);
    expect(daemon.aborted).toEqual(['slow']);
  });

  it('a disconnect aborts that connection’s in-flight handlers', async () => {
    const { peer, daemon, server } = setup();
    const p = peer();
    await hello(p);
    p.send(req(1, 'models.load', { model: 'slow' }));
    await new Promise((r) => setTimeout(r, 5));
    expect(server.connections).toHaveLength(1);
    p.end.close();
    await new Promise((r) => setTimeout(r, 5));
    expect(daemon.aborted).toEqual(['slow']);
    expect(server.connections).toHaveLength(0);
  });

  it('a result too large for a frame is answered with INTERNAL instead of silence', async () => {
    const daemon = fakeDaemon();
    const server = new RpcServer({ handlers: daemon.handlers, snapshot: daemon.snapshot });
    servers.push(server);
    const [client, serverEnd] = createTransportPair({ maxFrameBytes: 4000 });
    server.accept(serverEnd);
    const got: any[] = [];
    client.onMessage((f) => got.push(f));
    client.injectRawToPeer(req(0, 'hello', { protocolVersion: PROTOCOL_VERSION, client: { name: 't' } }));
    for (let i = 1; i <= 2; i++) client.injectRawToPeer(req(i, 'jobs.submit', { image: '/a.png', prompt: 'x'.repeat(3000) }));
    client.injectRawToPeer(req(3, 'jobs.list', {})); // pipelined right behind hello: accepted
    await new Promise((r) => setTimeout(r, 10));
    const list = got.find((f) => f.data.id === 3);
    expect(list.data).toMatchObject({ id: 3, ok: false, error: { code: 'INTERNAL' } });
    expect(list.data.error.message).toMatch(/^response too large \(\d+ bytes > 4000\)$/);
  });

  it('daemon.shutdown sees how many clients are attached', async () => {
    const { peer } = setup();
    const a = peer();
    const b = peer();
    await hello(a);
    await hello(b);
    a.send(req(1, 'daemon.shutdown', {}));
    expect((await a.next()).data.error.message).toContain('other clients');
    b.end.close();
    await new Promise((r) => setTimeout(r, 5));
    a.send(req(2, 'daemon.shutdown', {}));
    expect((await a.next()).data).toEqual({ id: 2, ok: true, result: { accepted: true } });
  });

  it('subscribe: snapshot at the current seq, then filtered deltas; invalid events are dropped', async () => {
    const { peer, server, daemon } = setup();
    const p = peer();
    await hello(p);
    server.publish('log', { time: '2026-11-28T03:00:00.000Z', level: 'info', scope: 'test', message: 'before' });
    daemon.handlers['jobs.submit']({ image: '/a.png', prompt: 'p' } as never, {} as never);
    p.send(req(1, 'subscribe', { topics: ['jobs'], jobId: 'job-1' }));
    const res = await p.next();
    expect(res.data.result).toMatchObject({ subscription: 's1', instanceId: 'inst-1', seq: 1, replayed: 0 });
    expect(res.data.result.snapshot.jobs.map((j: { id: string }) => j.id)).toEqual(['job-1']);
    server.publish('log', { time: '2026-11-28T03:00:00.000Z', level: 'info', scope: 'test', message: 'not a jobs topic' });
    server.publish('job.started', { jobId: 'job-2', startedAt: '2026-11-28T03:00:00.000Z' });
    expect(server.publish('step', { jobId: 'job-1', section: 0, step: 0, steps: 25 } as never)).toBeNull();
    server.publish('job.started', { jobId: 'job-1', startedAt: '2026-11-28T03:00:00.000Z' });
    server.publish('queue.changed', { paused: true, queued: 0, running: 'job-1', limit: 3 });
    expect(await p.next()).toEqual({ type: 'evt', data: { sub: 's1', seq: 4, event: 'job.started', payload: { jobId: 'job-1', startedAt: '2026-11-28T03:00:00.000Z' } } });
    expect((await p.next()).data).toMatchObject({ sub: 's1', seq: 5, event: 'queue.changed' });
    p.send(req(2, 'unsubscribe', { subscription: 's1' }));
    expect((await p.next()).data).toEqual({ id: 2, ok: true, result: { removed: true } });
    server.publish('job.started', { jobId: 'job-1', startedAt: '2026-11-28T03:00:00.000Z' });
    p.send(req(3, 'unsubscribe', { subscription: 's1' }));
    expect((await p.next()).data).toEqual({ id: 3, ok: true, result: { removed: false } });
  });

  it('subscribe since a seq replays the missed events; too old, another instance or the future gives a snapshot', async () => {
    const { peer, server } = setup({ historySize: 3 });
    const p = peer();
    await hello(p);
    const log = (message: string) => server.publish('log', { time: '2026-11-28T03:00:00.000Z', level: 'info', scope: 't', message });
    for (const m of ['a', 'b', 'c', 'd', 'e']) log(m); // seqs 1..5, history keeps 3..5
    p.send(req(1, 'subscribe', { since: { instanceId: 'inst-1', seq: 2 } }));
    expect((await p.next()).data.result).toEqual({ subscription: 's1', instanceId: 'inst-1', seq: 5, snapshot: null, replayed: 3 });
    expect([await p.next(), await p.next(), await p.next()].map((f) => [f.data.seq, f.data.payload.message])).toEqual([[3, 'c'], [4, 'd'], [5, 'e']]);
    for (const since of [{ instanceId: 'inst-1', seq: 1 }, { instanceId: 'other', seq: 4 }, { instanceId: 'inst-1', seq: 9 }]) {
      p.send(req(2, 'subscribe', { since }));
      const r = (await p.next()).data.result;
      expect(r.snapshot, JSON.stringify(since)).not.toBeNull();
      expect(r.replayed).toBe(0);
    }
    p.send(req(3, 'subscribe', { since: { instanceId: 'inst-1', seq: 5 } }));
    expect((await p.next()).data.result).toMatchObject({ snapshot: null, replayed: 0, seq: 5 });
  });

  it('closes a connection that never says hello after the hello timeout, with LIMIT_EXCEEDED', async () => {
    const { peer } = setup({ helloTimeoutMs: 30 });
    const silent = peer();
    const greeted = peer();
    await hello(greeted);
    const closed = new Promise<void>((r) => silent.end.onClose(() => r()));
    expect((await silent.next()).data).toEqual({ id: null, ok: false, error: { code: 'LIMIT_EXCEEDED', message: 'no hello within 30 ms; connection closed', retryable: false, detail: { limit: 'helloTimeout' } } });
    await closed;
    await new Promise((r) => setTimeout(r, 60));
    expect(greeted.end.closed).toBe(false);
  });

  it('at the connection limit, the oldest connection without hello makes room; without one the new connection is refused', async () => {
    const { peer, server } = setup({ maxConnections: 2 });
    const first = peer();
    const second = peer();
    await hello(second);
    const third = peer(); // displaces `first`, which never said hello
    expect((await first.next()).data.error).toMatchObject({ code: 'LIMIT_EXCEEDED', message: expect.stringContaining('never said hello') });
    await hello(third);
    expect(server.connections).toHaveLength(2);
    const fourth = peer();
    expect((await fourth.next()).data).toEqual({
      id: null, ok: false,
      error: { code: 'LIMIT_EXCEEDED', message: 'too many connections: 2 are open (the limit); close some clients and retry', retryable: true, detail: { limit: 'connections' } },
    });
    expect(server.connections.map((c) => c.client?.name)).toEqual(['test', 'test']);
  });

  it('refuses a subscription past the per-connection limit and accepts one after an unsubscribe', async () => {
    const { peer } = setup({ maxSubscriptionsPerConnection: 2 });
    const p = peer();
    await hello(p);
    p.send(req(1, 'subscribe', {}));
    p.send(req(2, 'subscribe', {}));
    p.send(req(3, 'subscribe', {}));
    expect((await p.next()).data.ok).toBe(true);
    expect((await p.next()).data.ok).toBe(true);
    expect((await p.next()).data).toMatchObject({ id: 3, ok: false, error: { code: 'LIMIT_EXCEEDED', retryable: false, detail: { limit: 'subscriptions', max: 2 } } });
    p.send(req(4, 'unsubscribe', { subscription: 's1' }));
    expect((await p.next()).data.result).toEqual({ removed: true });
    p.send(req(5, 'subscribe', {}));
    expect((await p.next()).data).toMatchObject({ id: 5, ok: true });
  });
});
