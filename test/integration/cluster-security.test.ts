// The shared queue's security (docs/cluster.md "Running it safely"): a Redis with a password is
// reached with the password in the URL, which nothing shows (status, logs); a wrong password is a
// clear refusal; and a worker daemon listens on no network port (it only connects out to Redis).
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLog, REPO_ROOT, startDaemon, type DaemonProcess } from '../helpers/daemon-harness.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

const PASSWORD = 'hunter2-not-in-any-log';
const host = os.hostname();
let redis: RedisServer;
let worker: DaemonProcess;
let image: string;

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(REPO_ROOT, 'bin/framepack.js'), ...args], { cwd: redis.dir, env: { ...process.env, FRAMEPACK_CONFIG_DIR: '/nonexistent-fp-config', ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** TCP ports a process listens on (Linux /proc: its socket inodes among the LISTEN rows). */
function listeningPorts(pid: number): number[] {
  const inodes = new Set(readdirSync(`/proc/${pid}/fd`).map((fd) => {
    try {
      return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
    } catch {
      return undefined;
    }
  }).filter((x): x is string => x !== undefined));
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const row of readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
      const f = row.trim().split(/\s+/);
      if (f[3] === '0A' && inodes.has(f[9]!)) ports.push(parseInt(f[1]!.split(':')[1]!, 16));
    }
  }
  return ports;
}

beforeAll(async () => {
  redis = await startRedis({ password: PASSWORD });
  image = path.join(redis.dir, 'start.png');
  await sharp({ create: { width: 96, height: 64, channels: 3, background: { r: 200, g: 200, b: 30 } } }).png().toFile(image);
  worker = await startDaemon({ env: { FRAMEPACK_QUEUE: redis.url, FRAMEPACK_QUEUE_LOCK: '3s', FRAMEPACK_CONFIG_DIR: '/nonexistent-fp-config' } });
}, 60_000);

afterAll(async () => {
  await worker?.cleanup();
  await redis?.cleanup();
});

describe('shared queue security', () => {
  it('uses the password in the URL and never shows it', async () => {
    const r = await cli(['generate', '--image', image, '--prompt', 'behind a password', '--seconds', '1', '--steps', '2', '--queue', redis.url, '--json', '--out', path.join(redis.dir, 'v.mp4')]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toMatchObject({ type: 'job.succeeded' });
    const c = await worker.client();
    const status = await c.call('daemon.status', {});
    expect(status.cluster!.queue).toBe(`redis://:***@127.0.0.1:${redis.port}/0`);
    const doctor = await c.call('daemon.doctor', { quick: true, refresh: true });
    expect(doctor.checks.find((k) => k.id === 'cluster.redis')).toMatchObject({ status: 'ok' });
    // The worker's own `jobs` names the queue it serves.
    const local = await cli(['jobs'], { FRAMEPACK_RUNTIME_DIR: worker.runtimeDir, FRAMEPACK_DATA_DIR: worker.dataDir });
    expect(local.stdout).toContain(`worker ${host}:${worker.child.pid} of the shared queue redis://:***@127.0.0.1:${redis.port}/0`);
    const listed = await cli(['jobs', '--queue', redis.url]);
    expect(listed.stdout).toContain(':***@');
    for (const text of [readLog(worker), JSON.stringify(status), JSON.stringify(doctor), local.stdout, listed.stdout, listed.stderr, r.stderr]) expect(text).not.toContain(PASSWORD);
  }, 120_000);

  it('refuses a wrong password with a clear one-line reason', async () => {
    const r = await cli(['jobs', '--queue', `redis://:wrong@127.0.0.1:${redis.port}/0`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot reach the queue's redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/0: WRONGPASS/);
    expect(r.stderr).not.toContain('wrong@');
  }, 60_000);

  it('a worker daemon listens on no network port', () => {
    expect(listeningPorts(worker.child.pid!)).toEqual([]);
  });
});

/** A throw-away CA and a server certificate for 127.0.0.1 (openssl), or null without openssl. */
function makeCerts(dir: string): { cert: string; key: string; ca: string } | null {
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  try {
    run(['version']);
  } catch {
    return null;
  }
  writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=framepack-test-ca']);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext']);
  return { cert: path.join(dir, 'server.pem'), key: path.join(dir, 'server.key'), ca: path.join(dir, 'ca.pem') };
}

const certDir = mkdtempSync(path.join(os.tmpdir(), 'fp-tls-'));
const certs = makeCerts(certDir);
if (!certs) rmSync(certDir, { recursive: true, force: true });

// openssl makes the certificates; where it is missing there is nothing to serve TLS with.
describe.runIf(certs !== null)('shared queue over TLS (rediss://)', () => {
  let tlsRedis: RedisServer;
  let tlsWorker: DaemonProcess;
  const caEnv = { NODE_EXTRA_CA_CERTS: certs?.ca ?? '' };

  beforeAll(async () => {
    tlsRedis = await startRedis({ password: PASSWORD, tls: certs! });
    tlsWorker = await startDaemon({ env: { FRAMEPACK_QUEUE: tlsRedis.url, FRAMEPACK_QUEUE_LOCK: '3s', FRAMEPACK_CONFIG_DIR: '/nonexistent-fp-config', ...caEnv } });
  }, 60_000);

  afterAll(async () => {
    await tlsWorker?.cleanup();
    await tlsRedis?.cleanup();
    rmSync(certDir, { recursive: true, force: true });
  });

  it('runs a job over rediss:// with the certificate verified', async () => {
    expect(tlsRedis.url).toMatch(/^rediss:\/\//);
    const r = await cli(['generate', '--image', image, '--prompt', 'over tls', '--seconds', '1', '--steps', '2', '--queue', tlsRedis.url, '--json', '--out', path.join(tlsRedis.dir, 't.mp4')], caEnv);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toMatchObject({ type: 'job.succeeded', worker: expect.stringContaining(String(tlsWorker.child.pid)) });
    // Without the CA the server's certificate is refused: TLS is verified, not just encrypted.
    const untrusted = await cli(['jobs', '--queue', tlsRedis.url]);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(/certificate/i);
  }, 120_000);
});
