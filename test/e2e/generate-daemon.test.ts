// `framepack generate` through the daemon, as a user runs it: the real command (bin/framepack.js)
// with the default tiny bundle on isolated XDG runtime/data/config dirs. The first generate
// auto-starts the daemon; --json keeps the local mode's contract (last line job.succeeded with
// `output`, or job.failed with `error`); --detach prints the id and `jobs show ID --follow` waits
// for it; `daemon stop` ends it.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { probeVideo } from '../../daemon/media/ffmpeg.js';
import { createCliHarness, ndjson } from '../helpers/cli-harness.js';

const { dir, bin, image, env, socketFile, framepack } = await createCliHarness('fp-e2ed-');

// Never leave a daemon behind, even when an assertion failed half-way.
afterAll(async () => {
  if (existsSync(socketFile)) await framepack(['daemon', 'stop']);
  await rm(dir, { recursive: true, force: true });
});

describe('framepack generate through the daemon (e2e)', () => {
  it('generate through the daemon: auto-start, the --json contract, --detach then jobs show --follow, daemon stop', { timeout: 60_000 }, async () => {
    const out = path.join(dir, 'daemon', 'clip.mp4');
    // The daemon writes into existing folders only (docs/daemon.md, "Jobs and outputs").
    await mkdir(path.join(dir, 'daemon'));
    const args = ['generate', '--image', image, '--prompt', 'a red ball bounces', '--seconds', '2.4', '--steps', '2', '--no-partials'];
    const first = await framepack([...args, '--json', '--out', out]);
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    expect(existsSync(socketFile)).toBe(true);
    const events = ndjson(first.stdout);
    expect(events[0]).toMatchObject({ type: 'job.queued', position: 0 });
    expect(events.at(-1)).toMatchObject({ type: 'job.succeeded', output: out, frames: 73 });
    expect(events.filter((e) => e.type === 'step')).toHaveLength(4);
    // --no-partials reached the engine: section.done names no partial file and none was written.
    expect(events.filter((e) => e.type === 'section.done').map((e) => e.frames)).toEqual([33, 73]);
    expect(existsSync(path.join(dir, 'daemon', 'clip', 'partial-1.mp4'))).toBe(false);
    expect(await probeVideo(out)).toMatchObject({ codec: 'h264', width: 96, height: 64, frames: 73, fps: 30 });

    const detached = await framepack([...args, '--detach', '--out', path.join(dir, 'daemon', 'second.mp4')]);
    expect(detached.code).toBe(0);
    const id = detached.stdout.trim();
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    const followed = await framepack(['jobs', 'show', id, '--follow']);
    expect(followed.code).toBe(0);
    expect(followed.stdout).toContain(path.join(dir, 'daemon', 'second.mp4'));
    expect((await probeVideo(path.join(dir, 'daemon', 'second.mp4'))).frames).toBe(73);

    // open: the job's video in $FRAMEPACK_PLAYER (a script that records its arguments); logs: the daemon log.
    const player = path.join(dir, 'player.sh');
    await writeFile(player, `#!/bin/sh\necho "$@" > ${path.join(dir, 'played.txt')}\n`);
    await chmod(player, 0o755);
    const opened = await framepack(['open', id], { FRAMEPACK_PLAYER: player });
    expect({ code: opened.code, stdout: opened.stdout.trim() }).toEqual({ code: 0, stdout: path.join(dir, 'daemon', 'second.mp4') });
    await expect.poll(() => readFile(path.join(dir, 'played.txt'), 'utf8').catch(() => ''), { timeout: 5000 }).toBe(`${path.join(dir, 'daemon', 'second.mp4')}\n`);
    const logs = await framepack(['logs', '--json', '-n', '0']);
    expect(logs.code).toBe(0);
    expect(ndjson(logs.stdout).some((r) => r.msg === 'job succeeded' && r.jobId === id)).toBe(true);

    // An --out under a file is refused at submit (exit 2, nothing queued); the --json stream still ends with job.failed.
    const failing = await framepack([...args, '--json', '--out', path.join(image, 'x.mp4')]);
    expect(failing.code).toBe(2);
    expect(ndjson(failing.stdout).at(-1)).toMatchObject({ type: 'job.failed', jobId: null, code: 'INVALID_PARAMS' });
    expect(failing.stderr).toContain(`framepack: --out: ${image} is not a folder`);

    // Ctrl-C while following cancels the job: exit 130, the stream still ends with job.failed.
    const child = spawn(process.execPath, [bin, ...args, '--steps', '25', '--seconds', '4', '--json', '--out', path.join(dir, 'daemon', 'cancelled.mp4')], { cwd: dir, env, detached: true });
    let stdout = '';
    let interrupted = false;
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
      if (!interrupted && stdout.includes('"type":"step"')) {
        interrupted = true;
        process.kill(-child.pid!, 'SIGINT'); // as a terminal's Ctrl-C: the whole process group
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(interrupted).toBe(true);
    expect(code).toBe(130);
    expect(ndjson(stdout).at(-1)).toMatchObject({ type: 'job.failed', error: 'cancelled', cancelled: true });
    const jobs = JSON.parse((await framepack(['jobs', '--json'])).stdout) as { jobs: { state: string }[] };
    expect(jobs.jobs.map((j) => j.state)).toContain('cancelled');

    const stop = await framepack(['daemon', 'stop']);
    expect(stop.code).toBe(0);
    expect(existsSync(socketFile)).toBe(false);
  });
});
