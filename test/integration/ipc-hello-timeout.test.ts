// The hello timeout over a real socket when the server's event loop was blocked for longer than
// the timeout (a long synchronous task in the daemon): a hello that arrived during the block must
// be read before the timeout closes the connection. Timers run before the loop reads sockets, so
// a naive timer would refuse a client that did everything right.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../shared/protocol/index.js';
import { startTestSocketServer, type TestSocketServer } from '../helpers/ipc-server.js';

let srv: TestSocketServer;
beforeAll(async () => {
  srv = await startTestSocketServer({ helloTimeoutMs: 50 });
});
afterAll(async () => {
  await srv?.close();
});

const helloFrame = `${JSON.stringify({ type: 'req', data: { id: 1, method: 'hello', params: { protocolVersion: PROTOCOL_VERSION, client: { name: 'blocked' } } } })}\f`;

function blockFor(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // a synchronous task holding the event loop
  }
}

describe('hello timeout vs a blocked event loop', () => {
  it('a hello that arrived while the loop was blocked past the timeout is answered, not refused', async () => {
    const socket = net.connect(srv.socketFile);
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (received += d));
    await new Promise<void>((r) => socket.once('connect', () => r()));
    // Wait until the server has accepted it (its hello timer is running).
    for (let i = 0; i < 100 && srv.server.connections.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(srv.server.connections).toHaveLength(1);
    socket.write(helloFrame); // reaches the kernel buffer at once
    blockFor(300); // the 50 ms timer expires while nothing is read
    for (let i = 0; i < 100 && !received.includes('\f'); i++) await new Promise((r) => setTimeout(r, 10));
    const first = JSON.parse(received.split('\f')[0]!);
    expect(first.data).toMatchObject({ id: 1, ok: true });
    await new Promise((r) => setTimeout(r, 100));
    expect(socket.destroyed).toBe(false);
    socket.destroy();
  });

  it('without a hello the connection is still closed after the timeout', async () => {
    const socket = net.connect(srv.socketFile);
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (received += d));
    await new Promise<void>((r) => socket.once('close', () => r()));
    expect(JSON.parse(received.split('\f')[0]!).data.error).toMatchObject({ code: 'LIMIT_EXCEEDED', detail: { limit: 'helloTimeout' } });
  });
});
