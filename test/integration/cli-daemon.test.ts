// The daemon-facing CLI commands against a real, auto-started daemon (fake engine) on a temp
// runtime dir: daemon start/status/stop, ps, load, unload, with and without --json.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runDaemonCommand } from '../../daemon/cli/daemon-command.js';
import { runLoadCommand, runUnloadCommand } from '../../daemon/cli/load-command.js';
import { runPsCommand } from '../../daemon/cli/ps-command.js';
import { runCancelCommand, runJobsCommand, runPauseCommand, runResumeCommand } from '../../daemon/cli/jobs-command.js';
import { connectDaemon } from '../../daemon/cli/daemon-client.js';
import { pidAlive } from '../../daemon/lifecycle/claim-instance.js';
import { daemonEnv, killDaemonsUnder, tempBase } from '../helpers/daemon-harness.js';

const base = tempBase();
const saved = { ...process.env };

async function capture(fn: () => Promise<number>): Promise<{ code: number; out: string }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const errSpy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    return { code: await fn(), out };
  } finally {
    spy.mockRestore();
    errSpy.mockRestore();
  }
}

beforeAll(() => {
  Object.assign(process.env, daemonEnv(base));
});
afterAll(async () => {
  await runDaemonCommand(['stop']).catch(() => 0);
  killDaemonsUnder(base);
  process.env = saved;
  rmSync(base, { recursive: true, force: true });
});

describe('framepack daemon / ps / load / unload', () => {
  it('reports "not running" before anything started', async () => {
    const r = await capture(() => runDaemonCommand(['status', '--json']));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ running: false });
    expect((await capture(() => runPsCommand([]))).code).toBe(1);
  });

  it('starts detached, reports status, lists, loads and unloads', async () => {
    const started = await capture(() => runDaemonCommand(['start', '--json']));
    expect(started.code).toBe(0);
    const info = JSON.parse(started.out);
    expect(info).toMatchObject({ started: true, protocolVersion: 1 });
    expect((await capture(() => runDaemonCommand(['start']))).out).toContain('already running');

    const status = JSON.parse((await capture(() => runDaemonCommand(['status', '--json']))).out);
    expect(status).toMatchObject({ running: true, pid: info.pid, socketPath: info.socketPath, engine: 'fake' });
    expect(status.logFile).toMatch(/daemon\.log$/);

    expect((await capture(() => runPsCommand([]))).out.trim()).toBe('nothing loaded');
    const loaded = await capture(() => runLoadCommand(['fake-tiny', '--component', 'vae', '--keep-alive', '-1']));
    expect(loaded.code).toBe(0);
    expect(loaded.out).toMatch(/fake-tiny\s+vae\s+fake:0\s+512\.0 MiB\s+64\.0 MiB\s+Forever/);
    const ps = JSON.parse((await capture(() => runPsCommand(['--json']))).out);
    expect(ps.components).toMatchObject([{ component: 'vae', keepAliveMs: -1 }]);
    await expect(runLoadCommand(['--component', 'wheels'])).rejects.toThrow(/--component must be one of/);
    const unloaded = await capture(() => runUnloadCommand([]));
    expect(unloaded.out.trim()).toBe('nothing loaded');
  });

  it('lists, shows, follows, cancels, pauses and resumes jobs', async () => {
    expect((await capture(() => runPauseCommand([]))).out).toContain('queue paused');
    const { client } = await connectDaemon({ autoStart: false, name: 'cli-test' });
    const image = path.join(base, 'in.png');
    writeFileSync(image, 'png');
    const a = await client.call('jobs.submit', { image, prompt: 'first job', seconds: 2, steps: 2 });
    const b = await client.call('jobs.submit', { image, prompt: 'second job', seconds: 1, steps: 1 });
    client.close();
    const listed = await capture(() => runJobsCommand([]));
    expect(listed.out).toMatch(new RegExp(`${a.jobId}\\s+queued\\s+#1`));
    expect(JSON.parse((await capture(() => runJobsCommand(['--state', 'queued', '--json']))).out).jobs).toHaveLength(2);
    expect((await capture(() => runJobsCommand(['show', a.jobId]))).out).toContain('prompt:  first job');
    expect((await capture(() => runCancelCommand([b.jobId]))).out).toContain(`${b.jobId} cancelled`);
    expect((await capture(() => runResumeCommand([]))).out).toContain('queue running');
    const followed = await capture(() => runJobsCommand(['show', a.jobId, '--follow']));
    expect(followed.code).toBe(0);
    expect(followed.out).toMatch(/section 2\/2 done[\s\S]*done in .* → .*\.mp4/);
    const again = await capture(() => runJobsCommand(['show', b.jobId, '--follow']));
    expect(again).toMatchObject({ code: 130 });
    expect(again.out).toContain('already cancelled');
    await expect(runJobsCommand(['--state', 'lost'])).rejects.toThrow(/--state must be one of/);
  });

  it('stops the daemon', async () => {
    const info = JSON.parse((await capture(() => runDaemonCommand(['status', '--json']))).out);
    const stopped = await capture(() => runDaemonCommand(['stop']));
    expect(stopped.out).toContain(`stopped (pid ${info.pid})`);
    expect(pidAlive(info.pid)).toBe(false);
  });
});
