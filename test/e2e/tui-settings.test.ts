// Issue 16 item 4 in a real terminal: one settings store. The real `framepack config` CLI and the
// dashboard (tmux, 120×40, a real daemon on the fake engine) read and write the same config.json:
// an old tui.json player is moved there once; `config set defaults.steps 12` reaches the new-job
// form; the Settings view shows and edits the keys (a bad value names the key and is not saved);
// the player set with `framepack config` opens the output from the dashboard and from `framepack
// open`, including one changed while the dashboard runs.
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, startDaemon } from '../helpers/daemon-harness.js';
import { cleanupDashboards, openDashboard, trackBase } from '../helpers/tmux-dashboard.js';
import { waitFileText, waitJobState } from '../helpers/wait-for.js';

const BIN = path.join(REPO_ROOT, 'bin', 'framepack.js');
afterEach(cleanupDashboards);

async function framepack(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { env, cwd: REPO_ROOT });
    return { code: 0, stdout, stderr };
  } catch (err: unknown) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** A player stub that appends its argument to `log`. */
function playerStub(dir: string, name: string): { command: string; log: string } {
  const log = path.join(dir, `${name}.log`);
  const command = path.join(dir, `${name}.sh`);
  writeFileSync(command, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${log}'\n`);
  chmodSync(command, 0o755);
  return { command, log };
}

describe('one settings store for the dashboard and `framepack config`', () => {
  it('migrates tui.json, carries defaults.* into the form, edits in Settings, and opens with the configured player', async () => {
    const d = await startDaemon();
    trackBase(d.base);
    const cfg = path.join(d.base, 'cfg');
    mkdirSync(cfg, { recursive: true });
    const env = { ...d.env, FRAMEPACK_CONFIG_DIR: cfg, FRAMEPACK_PLAYER: '' };
    const first = playerStub(d.base, 'first');
    const second = playerStub(d.base, 'second');
    writeFileSync(path.join(cfg, 'tui.json'), JSON.stringify({ player: first.command, keybindings: { 'ctrl+q': 'workbench.quit' } }));
    expect((await framepack(['config', 'set', 'defaults.steps', '12'], env)).code).toBe(0);
    // A finished job for the player part.
    const client = await d.client('setup');
    const { jobId } = await client.call('jobs.submit', { image: d.image(), prompt: 'a cat', seconds: 1, steps: 2 });
    await waitJobState(client, jobId, ['succeeded']);
    client.close();

    const tui = openDashboard(d.base, env, 120, 40);
    await tui.waitScreen((s) => s.includes('● ready'), 'the workbench');
    // The old tui.json player moved to the one store, once; the key overrides stay.
    expect((await framepack(['config', 'get', 'player'], env)).stdout.trim()).toBe(first.command);
    expect(JSON.parse(readFileSync(path.join(cfg, 'tui.json'), 'utf8'))).toEqual({ keybindings: { 'ctrl+q': 'workbench.quit' } });

    await tui.press('n');
    let s = await tui.waitScreen((x) => x.includes('NEW JOB'), 'the form');
    expect(s).toMatch(/Steps\s+12\b/);
    await tui.press('Escape', '5');
    s = await tui.waitScreen((x) => x.includes('SETTINGS') && x.includes('defaults.steps'), 'the Settings view');
    expect(s).toMatch(/player\s+\S*first\.sh/);
    expect(s).toMatch(/defaults\.steps\s+12\b/);

    // keepAlive is the third row: a bad value names the key and is not saved; a good one is.
    // Each key waits for what the one before it drew: text and Enter read in one chunk (a loaded
    // machine holds the dashboard back) are one input, and the editor keeps the Enter as a space.
    await tui.press('Down', 'Down', 'Enter');
    await tui.waitScreen((x) => x.includes('Enter saves · Esc cancels'), 'keepAlive open for editing');
    tui.type('forever');
    await tui.waitScreen((x) => /keepAlive\s+\S*forever▏/.test(x), 'forever typed');
    await tui.press('Enter');
    await tui.waitScreen((x) => x.includes("keepAlive must be a duration"), 'the keepAlive error');
    expect((await framepack(['config', 'get', 'keepAlive'], env)).stdout.trim()).not.toBe('forever');
    await tui.press('C-u');
    await tui.waitScreen((x) => /keepAlive\s+▏/.test(x), 'the value cleared');
    tui.type('10m');
    await tui.waitScreen((x) => /keepAlive\s+10m▏/.test(x), '10m typed');
    await tui.press('Enter');
    await tui.waitScreen((x) => /keepAlive\s+10m/.test(x), 'the saved keepAlive');
    expect((await framepack(['config', 'get', 'keepAlive'], env)).stdout.trim()).toBe('10m');

    // The player from the store opens the output; a `config set player` made meanwhile counts.
    await tui.press('3');
    await tui.waitScreen((x) => x.includes('OUTPUTS') && x.includes('▣ a cat'), 'the Outputs view');
    await tui.press('Enter'); // Enter on a finished video plays it (issue 16 item 11)
    expect(await waitFileText(first.log)).toMatch(new RegExp(`${jobId}.*\\.mp4$`));
    expect((await framepack(['config', 'set', 'player', second.command], env)).code).toBe(0);
    await tui.press('o');
    expect(await waitFileText(second.log)).toMatch(/\.mp4$/);
    // And `framepack open` uses the same setting.
    rmSync(second.log);
    expect((await framepack(['open', jobId], env)).code).toBe(0);
    expect(await waitFileText(second.log)).toMatch(/\.mp4$/);

    await tui.press('q');
    expect(await tui.exitCode()).toBe('0');
  }, 90_000);
});
