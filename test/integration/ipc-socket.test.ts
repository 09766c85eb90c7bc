// The RPC layer over a real node-ipc Unix socket: a real RpcClient end to end, then a raw `net`
// peer sending hostile frames. Each gets a typed error or a clean close, and the server keeps
// serving the next client.
import net from 'node:net';
import { statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNodeIpc } from '../../shared/ipc/node-ipc-transport.js';
import { RpcClient } from '../../shared/ipc/rpc-client.js';
import { PROTOCOL_VERSION, type EventMessage } from '../../shared/protocol/index.js';
import { startTestSocketServer, type TestSocketServer } from '../helpers/ipc-server.js';

const MAX_FRAME_BYTES = 64 * 1024;
let srv: TestSocketServer;
beforeAll(async () => {
  srv = await startTestSocketServer({ maxFrameBytes: MAX_FRAME_BYTES });
});
afterAll(async () => srv.close());

/** Write raw bytes, collect whatever comes back until `frames` frames arrived or the server closes. */
function raw(bytes: string | Buffer, frames = 1): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(srv.socketFile);
    let text = '';
    const timer = setTimeout(() => finish(false), 3_000);
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ text, closed });
    };
    sock.on('error', reject);
    sock.on('connect', () => sock.write(bytes));
    sock.on('data', (d) => {
      text += d.toString('utf8');
      if (text.split('\f').length - 1 >= frames) finish(false);
    });
    sock.on('end', () => finish(true));
    sock.on('close', () => finish(true));
  });
}

const frame = (type: string, data: unknown) => `${JSON.stringify({ type, data })}\f`;
const hello = frame('req', { id: 0, method: 'hello', params: { protocolVersion: PROTOCOL_VERSION, client: { name: 'raw' } } });

async function stillServing(): Promise<void> {
  const client = new RpcClient({ client: { name: 'check' }, connect: () => connectNodeIpc(srv.socketFile, { maxFrameBytes: MAX_FRAME_BYTES }) });
  try {
    await client.connect();
    expect(await client.call('ps', {})).toEqual({ components: [], memory: null });
  } finally {
    client.close();
  }
}

describe('RPC over a node-ipc socket', () => {
  it('the socket root is 0700', () => {
    expect(statSync(path.dirname(srv.socketFile)).mode & 0o777).toBe(0o700);
  });

  it('a real client: hello, calls, typed errors, abort, and a subscription', async () => {
    const client = new RpcClient({ client: { name: 'it' }, connect: () => connectNodeIpc(srv.socketFile, { maxFrameBytes: MAX_FRAME_BYTES }) });
    try {
      expect((await client.connect()).instanceId).toBe(srv.server.instanceId);
      const events: EventMessage[] = [];
      await client.subscribe({ topics: ['jobs'] }, { onEvent: (e) => events.push(e) });
      const { jobId } = await client.call('jobs.submit', { image: '/in.png', prompt: 'over the socket' });
      srv.server.publish('job.started', { jobId, startedAt: '2026-11-28T03:00:00.000Z' });
      srv.server.publish('job.succeeded', { jobId, outputPath: '/out/a.mp4', timing: { totalMs: 1, queuedMs: 0, loadMs: 0, encodeMs: 0, sectionSampleMs: [1], decodeMs: 0, muxMs: 0, peakVramBytes: null, peakRamBytes: 1 } });
      await expect(client.call('jobs.get', { jobId: 'job-404' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const ac = new AbortController();
      const slow = client.call('models.load', { model: 'slow' }, { signal: ac.signal });
      setTimeout(() => ac.abort(), 20);
      await expect(slow).rejects.toMatchObject({ code: 'CANCELLED' });
      expect(events.map((e) => [e.seq, e.event])).toEqual([[1, 'job.started'], [2, 'job.succeeded']]);
    } finally {
      client.close();
    }
  });

  it('an unknown method gets NOT_FOUND, byte for byte', async () => {
    const { text } = await raw(hello + frame('req', { id: 1, method: 'no.such.method', params: {} }), 2);
    // Responses carry ids and may overtake each other (hello awaits its handler); pick id 1.
    expect(text.split('\f').find((f) => f.includes('"id":1,')) + '\f').toBe(
      '{"type":"res","data":{"id":1,"ok":false,"error":{"code":"NOT_FOUND","message":"unknown method \'no.such.method\'","retryable":false,"detail":{"method":"no.such.method"}}}}\f',
    );
  });

  it('a wrong protocol version in hello gets PROTOCOL_MISMATCH', async () => {
    const { text } = await raw(frame('req', { id: 1, method: 'hello', params: { protocolVersion: 99, client: { name: 'old' } } }));
    expect(JSON.parse(text.split('\f')[0]!).data.error).toMatchObject({ code: 'PROTOCOL_MISMATCH', detail: { server: PROTOCOL_VERSION, client: 99 } });
  });

  it('a request without an id gets INVALID_PARAMS with id null', async () => {
    const { text } = await raw(frame('req', { method: 'ps' }));
    expect(JSON.parse(text.split('\f')[0]!).data).toMatchObject({ id: null, ok: false, error: { code: 'INVALID_PARAMS' } });
  });

  it.each([
    ['non-JSON', 'this is not json\f'],
    ['a JSON array', '[1,2,3]\f'],
    ['a reserved event name', frame('connect', {})],
    ['an oversized frame', frame('req', { id: 1, method: 'ps', params: { pad: 'x'.repeat(MAX_FRAME_BYTES + 10) } })],
    ['an oversized frame without delimiter', 'y'.repeat(MAX_FRAME_BYTES + 10)],
  ])('%s: the connection is closed cleanly and the server keeps serving', async (_, bytes) => {
    const { text, closed } = await raw(bytes);
    expect(closed).toBe(true);
    expect(text).toBe('');
    await stillServing();
  });

  it('a peer that vanishes mid-frame does not disturb the server', async () => {
    await new Promise<void>((resolve) => {
      const sock = net.connect(srv.socketFile, () => {
        sock.write('{"type":"req","data":{"id":1,');
        setTimeout(() => (sock.destroy(), resolve()), 20);
      });
    });
    await stillServing();
  });
});
