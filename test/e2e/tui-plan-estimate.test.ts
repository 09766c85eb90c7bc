// Issue 16 item 2 in a real terminal: the new-job form's time estimate is the whole job (every
// stage: sampling, decode, append, video encode, from the newest finished job's measured timing),
// and it is the very figure `framepack plan` prints for the same parameters (both from the daemon's
// jobs.plan). A real daemon with the ONNX engine and the default tiny bundle; tmux at 120×40 and 80×24.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, startDaemon } from '../helpers/daemon-harness.js';
import { cleanupDashboards, openDashboard, sleep, trackBase } from '../helpers/tmux-dashboard.js';
import { FormNav } from '../helpers/form-keys.js';

afterEach(cleanupDashboards);

describe('the new-job form estimates the whole job, as `framepack plan` does', () => {
  it('shows the same whole-job figure as the CLI at 120×40 and 80×24', async () => {
    const d = await startDaemon({ env: { FRAMEPACK_ENGINE: 'onnx' } });
    trackBase(d.base);
    const image = path.join(d.base, 'start.png');
    const w = 96, h = 64;
    const rgb = Buffer.alloc(w * h * 3);
    for (let i = 0; i < w * h; i++) rgb.set([(i * 7) % 256, (i * 13) % 256, (i * 29) % 256], i * 3);
    await sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).png().toFile(image);
    // One finished job gives the daemon its measured timing.
    const client = await d.client('setup');
    const { jobId } = await client.call('jobs.submit', { image, prompt: 'a cat', seconds: 1, steps: 2 });
    let state = '';
    for (let i = 0; i < 600 && state !== 'succeeded' && state !== 'failed'; i++) {
      state = (await client.call('jobs.get', { jobId })).job.state;
      await sleep(100);
    }
    expect(state).toBe('succeeded');
    client.close();

    const env = { ...d.env, FRAMEPACK_CONFIG_DIR: path.join(d.base, 'cfg') };
    const plan = await promisify(execFile)(process.execPath, [path.join(REPO_ROOT, 'bin', 'framepack.js'), 'plan', '--image', image, '--prompt', 'x', '--seconds', '2', '--steps', '3'], { env, cwd: REPO_ROOT });
    const cliTime = /^time {6}(≈\S+ for the job · \S+\/section) \(sample .*measured on (\S+)$/m.exec(plan.stdout);
    expect(cliTime, plan.stdout).not.toBeNull();
    expect(cliTime![2]).toBe(jobId);

    for (const [cols, rows] of [[120, 40], [80, 24]] as const) {
      const tui = openDashboard(d.base, env, cols, rows);
      await tui.waitScreen((s) => s.includes('● ready'), `the workbench at ${cols}×${rows}`);
      await tui.press('n');
      await tui.waitScreen((s) => s.includes('NEW JOB'), 'the form');
      tui.type(image);
      const nav = new FormNav();
      await tui.press(...nav.to('seconds'));
      tui.type('2');
      await tui.press(...nav.to('steps'));
      tui.type('3');
      // The plan is asked again 250 ms after the last change (the previous one stays meanwhile):
      // wait for the one for these values — the same figure as the CLI.
      const s = await tui.waitScreen((x) => /Steps\s+3\b/.test(x) && x.includes(`time: ${cliTime![1]}`), `the CLI's whole-job estimate at ${cols}×${rows}`, 30_000);
      // The sampling-only wording of before is gone.
      expect(s).not.toMatch(/≈\S+ sampling \(measured/);
      await tui.press('Escape', 'q', 'y'); // the typed job is a draft: quitting asks first
      expect(await tui.exitCode()).toBe('0');
    }
  }, 120_000);
});
