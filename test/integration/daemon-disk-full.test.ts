// A full output disk (issue 15 item 9): a real daemon whose output dir is a tiny private tmpfs
// (mounted in its own mount namespace with `unshare -r -m`, so nothing else sees it) fails the job
// with DISK_FULL naming the file, the mount and the bytes free — not "ffprobe failed (exit 1)" —
// and stays up. Skipped where unprivileged mount namespaces are not allowed.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
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

const base = tempBase();
let child: ChildProcess | null = null;
let client: RpcClient | null = null;
afterAll(() => {
  client?.close();
  child?.kill('SIGKILL');
  rmSync(base, { recursive: true, force: true });
});

async function ready(socketFile: string, output: () => string): Promise<RpcClient> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child!.exitCode !== null) throw new Error(`daemon exited: ${output()}`);
    try {
      return await connectClient(socketFile);
    } catch {
      if (Date.now() > deadline) throw new Error(`daemon not ready: ${output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe.skipIf(!canUnshare())('disk full in the output folder', () => {
  it('fails the job with DISK_FULL naming the file, mount and free bytes; the daemon stays up', async () => {
    const outDir = path.join(base, 'out');
    mkdirSync(outDir);
    const env = daemonEnv(base, { FRAMEPACK_ENGINE: 'onnx', FRAMEPACK_OUTPUT_DIR: outDir });
    // 16 KiB (4 pages): the job's partials folder and its 1.2 KB start image (<id>.png) fit, the
    // ~24 KB final MP4 does not.
    const script = 'mount -t tmpfs -o size=16k tmpfs "$0" && exec "$@"';
    child = spawn('unshare', ['-r', '-m', 'sh', '-c', script, outDir, process.execPath, '--import', 'tsx', path.join(REPO_ROOT, 'daemon/main.ts')], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (b) => (out += String(b)));
    child.stderr!.on('data', (b) => (out += String(b)));
    client = await ready(path.join(env.FRAMEPACK_RUNTIME_DIR!, 'fp.sock'), () => out);

    const image = path.join(base, 'start.png');
    const w = 96, h = 64;
    const rgb = Buffer.alloc(w * h * 3);
    for (let i = 0; i < w * h; i++) rgb.set([(i * 7) % 256, (i * 13) % 256, (i * 29) % 256], i * 3);
    await sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).png().toFile(image);
    const col = await collectEvents(client);
    const { jobId } = await client.call('jobs.submit', { image, prompt: 'disk full', seconds: 2, steps: 1, seed: 3, partials: false, crf: 0 });
    await col.until((ev) => terminalsOf(ev, jobId).length > 0, 90_000);
    const t = terminalsOf(col.events, jobId)[0]!;
    expect(t.event).toBe('job.failed');
    const error = (t.payload as { error: { code: string; message: string; retryable: boolean } }).error;
    expect(error.code, error.message).toBe('DISK_FULL');
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(new RegExp(`^disk full: cannot write ${path.join(outDir, jobId)}\\.mp4: the filesystem mounted at ${outDir} has [\\d.]+ (B|KiB) free`));
    expect(error.message).not.toMatch(/ffprobe/);
    // Still up and answering.
    expect((await client.call('daemon.status', {})).pid).toBeGreaterThan(0);
  }, 120_000);
});
