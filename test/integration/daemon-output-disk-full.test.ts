// Full disks (issue 15 item 9) under a real daemon: a tiny private tmpfs (mounted in the daemon's
// own mount namespace with `unshare -r -m`, so nothing else sees it) as the output dir or as the
// data dir's jobs/ folder. Every case fails with DISK_FULL naming the file, the mount, the bytes
// free (and needed, when known) — not "ffprobe failed (exit 1)" or a bare ENOSPC — and the daemon
// stays up. Skipped where unprivileged mount namespaces are not allowed.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import type { RpcClient } from '../../shared/ipc/rpc-client.js';
import { collectEvents, connectClient, daemonEnv, REPO_ROOT, tempBase, terminalsOf } from '../helpers/daemon-harness.js';

function canUnshare(): boolean {
  try {
    execFileSync('unshare', ['-r', '-m', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const bases: string[] = [];
const children: ChildProcess[] = [];
const clients: RpcClient[] = [];
afterAll(() => {
  for (const c of clients) c.close();
  for (const ch of children) ch.kill('SIGKILL');
  for (const b of bases) rmSync(b, { recursive: true, force: true });
});

/** A daemon whose `mountAt` folder is a private tmpfs of `size` (e.g. '16k'). */
async function daemonWithTinyDisk(mountAt: (base: string) => string, size: string, extraEnv: (base: string) => NodeJS.ProcessEnv) {
  const base = tempBase();
  bases.push(base);
  const env = daemonEnv(base, extraEnv(base));
  const dir = mountAt(base);
  mkdirSync(dir, { recursive: true });
  const script = `mount -t tmpfs -o size=${size} tmpfs "$0" && exec "$@"`;
  const child = spawn('unshare', ['-r', '-m', 'sh', '-c', script, dir, process.execPath, '--import', 'tsx', path.join(REPO_ROOT, 'daemon/main.ts')], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (b) => (out += String(b)));
  child.stderr!.on('data', (b) => (out += String(b)));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`daemon exited: ${out}`);
    try {
      const client = await connectClient(path.join(env.FRAMEPACK_RUNTIME_DIR!, 'fp.sock'));
      clients.push(client);
      return { base, dir, client, env };
    } catch {
      if (Date.now() > deadline) throw new Error(`daemon not ready: ${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function startImage(file: string): Promise<string> {
  const w = 96, h = 64;
  const rgb = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i++) rgb.set([(i * 7) % 256, (i * 13) % 256, (i * 29) % 256], i * 3);
  await sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).png().toFile(file);
  return file;
}

type WireErr = { code: string; message: string; retryable: boolean };

describe.skipIf(!canUnshare())('disk full', () => {
  it('in the output folder: the final MP4 fails with DISK_FULL naming the file, mount and free bytes', async () => {
    // 16 KiB (4 pages): the job's partials folder and its 1.2 KB start image (<id>.png) fit, the
    // ~24 KB final MP4 does not.
    const { base, dir: outDir, client } = await daemonWithTinyDisk((b) => path.join(b, 'out'), '16k', (b) => ({ FRAMEPACK_ENGINE: 'onnx', FRAMEPACK_OUTPUT_DIR: path.join(b, 'out') }));
    const image = await startImage(path.join(base, 'start.png'));
    const col = await collectEvents(client);
    const { jobId } = await client.call('jobs.submit', { image, prompt: 'disk full', seconds: 2, steps: 1, seed: 3, partials: false, crf: 0 });
    await col.until((ev) => terminalsOf(ev, jobId).length > 0, 90_000);
    const t = terminalsOf(col.events, jobId)[0]!;
    expect(t.event).toBe('job.failed');
    const error = (t.payload as { error: WireErr }).error;
    expect(error.code, error.message).toBe('DISK_FULL');
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(new RegExp(`^disk full: cannot write ${path.join(outDir, jobId)}\\.mp4: the filesystem mounted at ${outDir} has [\\d.]+ (B|KiB) free`));
    expect(error.message).not.toMatch(/ffprobe/);
    expect((await client.call('daemon.status', {})).pid).toBeGreaterThan(0);
  }, 120_000);

  it('in the jobs folder: the input copy at submit fails with DISK_FULL saying how much it needed', async () => {
    const { base, dir: jobsDir, client } = await daemonWithTinyDisk((b) => path.join(b, 'data', 'jobs'), '16k', () => ({}));
    const image = path.join(base, 'big.png');
    writeFileSync(image, Buffer.from('89504e470d0a1a0a', 'hex'));
    truncateSync(image, 64 * 1024);
    const err = await client.call('jobs.submit', { image, prompt: 'p' }).then(() => null, (e: unknown) => e as WireErr);
    expect(err?.code, err?.message).toBe('DISK_FULL');
    expect(err!.message).toMatch(new RegExp(`^disk full: cannot write ${jobsDir}/[\\w-]+/input\\.png: the filesystem mounted at ${jobsDir} has [\\d.]+ (B|KiB) free; the write needed 64\\.0 KiB`));
    expect((await client.call('jobs.list', {})).jobs).toEqual([]);
    // Still takes jobs that fit.
    writeFileSync(image, Buffer.from('89504e470d0a1a0a', 'hex'));
    expect((await client.call('jobs.submit', { image, prompt: 'p' })).jobId).toBeTruthy();
  }, 60_000);
});
