// A real redis-server for cluster tests (docs/cluster.md): its own temp dir, a loopback port
// nobody configured for anything else, append-only persistence (so stop() + start() is a Redis
// restart that keeps the queue, as a production Redis with AOF does), no system service.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import os from 'node:os';
import path from 'node:path';

export interface RedisServer {
  url: string;
  port: number;
  dir: string;
  start(): Promise<void>;
  /** SIGTERM: Redis writes its append-only file and exits. */
  stop(): Promise<void>;
  cleanup(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function answers(port: number, ca?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = ca ? tls.connect({ port, host: '127.0.0.1', ca }) : net.connect(port, '127.0.0.1');
    sock.once(ca ? 'secureConnect' : 'connect', () => sock.write('PING\r\n'));
    sock.once('data', (d) => { sock.destroy(); resolve(String(d).startsWith('+PONG') || String(d).startsWith('-NOAUTH')); });
    sock.once('error', () => resolve(false));
  });
}

/**
 * `password`: Redis's requirepass (the URL then carries it, as a user would write it). `tls`: PEM
 * files; Redis then serves TLS only (rediss://) and the plain port is off.
 */
export async function startRedis(options: { password?: string; tls?: { cert: string; key: string; ca: string } } = {}): Promise<RedisServer> {
  // The port freePort() found is free until redis binds it; meanwhile another process (a parallel
  // test file's server or an outgoing connection's local port) can take it: then try another one.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startRedisOn(await freePort(), options);
    } catch (err: unknown) {
      if (attempt >= 5 || !String((err as Error).message).includes('Address already in use')) throw err;
    }
  }
}

async function startRedisOn(port: number, options: { password?: string; tls?: { cert: string; key: string; ca: string } }): Promise<RedisServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fp-redis-'));
  const auth = options.password ? ['--requirepass', options.password] : [];
  let child: ChildProcess | null = null;
  let log = '';
  const r: RedisServer = {
    url: `${options.tls ? 'rediss' : 'redis'}://${options.password ? `:${options.password}@` : ''}127.0.0.1:${port}/0`, port, dir,
    async start() {
      const t = options.tls;
      const listen = t ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', t.cert, '--tls-key-file', t.key, '--tls-ca-cert-file', t.ca, '--tls-auth-clients', 'no'] : ['--port', String(port)];
      child = spawn('redis-server', [...listen, '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--daemonize', 'no', ...auth], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.on('data', (d) => (log += String(d)));
      child.stderr!.on('data', (d) => (log += String(d)));
      const deadline = Date.now() + 10_000;
      const ca = t ? readFileSync(t.ca, 'utf8') : undefined;
      // Its own log's ready line first: a PONG alone may come from another server on this port.
      while (!(log.includes('Ready to accept connections') && await answers(port, ca))) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}:\n${log}`);
        await new Promise((res) => setTimeout(res, 50));
      }
    },
    async stop() {
      const c = child;
      if (!c || c.exitCode !== null) return;
      const exited = new Promise((res) => c.once('exit', res));
      c.kill('SIGTERM');
      await exited;
      child = null;
    },
    async cleanup() {
      if (child && child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await r.start();
  } catch (err: unknown) {
    await r.cleanup();
    throw err;
  }
  return r;
}

/** One command over a plain connection (no TLS, no password), the reply as text (RESP as sent). */
export async function redisCommand(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let reply = '';
    sock.once('connect', () => sock.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`));
    sock.on('data', (d) => {
      reply += String(d);
      // A bulk string ($len CRLF body CRLF) is whole once len bytes arrived; other replies are one line.
      const m = /^\$(\d+)\r\n/.exec(reply);
      if (m ? Buffer.byteLength(reply) >= m[0].length + Number(m[1]) + 2 : reply.endsWith('\r\n')) { sock.destroy(); resolve(reply); }
    });
    sock.once('error', reject);
  });
}

/**
 * Waits until no client of this Redis is blocked fetching a job (BullMQ's BZPOPMIN). A worker that
 * was idle when its queue was paused keeps the fetch it had in flight until that fetch times out
 * (BullMQ's drainDelay, 5 s); a job submitted meanwhile is taken for a moment and given back
 * delayed. Submitting after this wait, no worker can take it, so its state is settled.
 */
export async function waitNoJobFetchInFlight(r: RedisServer, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const clients = await redisCommand(r.port, 'CLIENT', 'LIST');
    // flags=…b…: blocked now (the last command of an idle connection stays listed as cmd=).
    if (!clients.split('\n').some((l) => / flags=\S*b/.test(l) && / cmd=bzpopmin /i.test(l))) return;
    if (Date.now() > deadline) throw new Error(`a client of redis on port ${r.port} still waits for a job after ${timeoutMs} ms:\n${clients}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}
