// `framepack daemon start` when the daemon cannot start (issue 15 items 10, 5, 11): the real CLI
// spawns the real daemon detached; when that daemon exits while starting, the CLI says why at once
// (the reason from daemon.log) instead of waiting out the 30 s start timeout.
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { daemonEnv, killDaemonsUnder, REPO_ROOT, startDaemon, tempBase, type DaemonProcess } from '../helpers/daemon-harness.js';

interface Run { code: number; stdout: string; stderr: string; ms: number }
const BIN = path.join(REPO_ROOT, 'bin', 'framepack.js');
/** Well under the old 30 s wait, with room for a slow start on a loaded machine. */
const PROMPT_MS = 20_000;

function framepack(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, cwd: REPO_ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

/** SIGKILL daemons of one runtime dir (Linux /proc), as killDaemonsUnder does for <base>/rt. */
function killRuntimeDir(runtimeDir: string): void {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').includes(`FRAMEPACK_RUNTIME_DIR=${runtimeDir}\0`)) process.kill(Number(entry), 'SIGKILL');
    } catch {
      // gone, or not ours
    }
  }
}

const bases: string[] = [];
const live: DaemonProcess[] = [];
afterEach(async () => {
  for (const d of live.splice(0)) await d.cleanup();
  for (const base of bases.splice(0)) {
    // A daemon that started (or should have refused but started: the old behaviour) must not outlive the test.
    killDaemonsUnder(base);
    killRuntimeDir(path.join(base, 'rt2'));
    rmSync(base, { recursive: true, force: true });
  }
});

describe('framepack daemon start reports what went wrong at once', () => {
  it('a bad setting: refused at once with the reason, as a flag or from the environment', async () => {
    const base = tempBase();
    bases.push(base);
    // The CLI checks the daemon's flags and FRAMEPACK_* values with the daemon's own parser before
    // it spawns anything (a flag is a usage error, exit 2), so no daemon is left to wait for.
    const flagged = await framepack(['daemon', 'start', '--log-level', 'loud'], daemonEnv(base));
    expect(flagged.code).toBe(2);
    expect(flagged.stderr).toContain('--log-level must be debug, info, warn or error');
    expect(flagged.ms).toBeLessThan(PROMPT_MS);
    const fromEnv = await framepack(['daemon', 'start'], daemonEnv(base, { FRAMEPACK_LOG_LEVEL: 'loud' }));
    expect(fromEnv.code).toBe(1);
    expect(fromEnv.stderr).toContain("--log-level must be debug, info, warn or error, got 'loud'");
    expect(fromEnv.ms).toBeLessThan(PROMPT_MS);
  });

  it('keepAlive beyond the timer maximum is refused at start, with the limit in the reason', async () => {
    const base = tempBase();
    bases.push(base);
    const r = await framepack(['daemon', 'start'], daemonEnv(base, { FRAMEPACK_KEEP_ALIVE: '1000000000000' }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--keep-alive .*above the longest timer \(2147483647 ms.*use -1/);
    expect(r.ms).toBeLessThan(PROMPT_MS);
  });

  it('a data dir held by a daemon of another runtime dir: names that daemon', async () => {
    const first = await startDaemon();
    live.push(first);
    bases.push(first.base);
    const r = await framepack(['daemon', 'start'], daemonEnv(first.base, { FRAMEPACK_RUNTIME_DIR: path.join(first.base, 'rt2') }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`the daemon exited with code 4 while starting: the data dir ${first.dataDir} is in use by another framepack daemon (pid ${first.child.pid}, socket ${first.socketFile}`);
    expect(r.ms).toBeLessThan(PROMPT_MS);
  });

  it('a start that set a damaged journal aside says so at once, naming both files', async () => {
    const base = tempBase();
    bases.push(base);
    const env = daemonEnv(base, { FRAMEPACK_START_POLICY: 'pause' });
    mkdirSync(env.FRAMEPACK_DATA_DIR!, { recursive: true });
    const journal = path.join(env.FRAMEPACK_DATA_DIR!, 'journal.jsonl');
    writeFileSync(journal, 'null\n\u0000garbage');
    const r = await framepack(['daemon', 'start'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('started');
    expect(r.stderr).toMatch(new RegExp(`^framepack: warning: the job journal ${journal} has 2 unreadable line\\(s\\) \\(line 1, 2\\); the original is kept as ${journal}\\.damaged-\\S+ and the daemon continues with the 0 job\\(s\\) it could read$`, 'm'));
  });
});
