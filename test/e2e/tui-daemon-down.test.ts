// Issue 16 item 3 in a real terminal (tmux, the pinned Node, real daemon processes on a temp
// runtime dir, the fake engine): when the daemon is killed with SIGKILL under the dashboard, or
// cannot start at all, the dashboard stays open with a banner that says why and offers R to start
// a new daemon, shows the job that was running as unknown, and never leaves for the shell itself.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { daemonEnv, startDaemon, tempBase } from '../helpers/daemon-harness.js';
import { cleanupDashboards, openDashboard, sleep, trackBase } from '../helpers/tmux-dashboard.js';

afterEach(cleanupDashboards);

describe('the dashboard when the daemon is gone', () => {
  it('kill -9 under a running job (120×40): banner with the reason, the job unknown, R starts a new daemon', async () => {
    const d = await startDaemon({ env: { FRAMEPACK_FAKE_STEP_MS: '400' } });
    trackBase(d.base);
    const client = await d.client('setup');
    const { jobId } = await client.call('jobs.submit', { image: d.image(), prompt: 'a cat', seconds: 5, steps: 25 });
    client.close();
    const tui = openDashboard(d.base, { ...d.env, FRAMEPACK_CONFIG_DIR: path.join(d.base, 'cfg') }, 120, 40);
    await tui.waitScreen((s) => s.includes('● ready') && s.includes('▶ a cat'), 'the running job');
    const pid = d.child.pid!;
    await d.kill('SIGKILL');

    const s = await tui.waitScreen((x) => x.includes(`✖ the daemon (pid ${pid}) is gone`), 'the banner', 10_000);
    expect(s).toContain('R restart the daemon');
    // The job that was running is not shown as running any more.
    expect(s).toContain('? a cat');
    expect(s).toMatch(/in\.png\s+\d\/\d unknown/);
    expect(s).not.toContain('▶ a cat');
    expect(s).toContain(`? ${jobId} unknown`); // status bar
    expect(s).toContain('?1 ◷0'); // the side bar's header counts it as unknown, not running
    expect(s).toMatch(/error tui\s+the daemon \(pid \d+\) is gone/); // and Logs has the reason
    await sleep(1_500);
    expect(existsSync(tui.exitFile)).toBe(false);

    await tui.press('R');
    const after = await tui.waitScreen((x) => x.includes('● ready') && !x.includes('✖ the daemon'), 'the restarted daemon', 30_000);
    expect(after).not.toContain('R restart the daemon');
    await tui.press('q');
    expect(await tui.exitCode()).toBe('0');
  }, 90_000);

  it('a daemon that cannot start (80×24): the daemon\'s own reason at once, and the dashboard stays', async () => {
    const base = tempBase();
    trackBase(base);
    const env = daemonEnv(base, { FRAMEPACK_ENGINE: 'bogus' });
    const tui = openDashboard(base, { ...env, FRAMEPACK_CONFIG_DIR: path.join(base, 'cfg') }, 80, 24);
    const s = await tui.waitScreen((x) => x.includes('✖ the daemon exited with code 1 while starting'), 'the start-failure banner', 20_000);
    // The daemon's own reason in full (wrapped, not cut at 80 columns) and its log file.
    const flat = s.replace(/\s*\n\s*/g, ' ');
    expect(flat).toContain("--engine must be 'onnx' or 'fake', got 'bogus'");
    expect(flat).toContain(`(log: ${path.join(env.FRAMEPACK_DATA_DIR!, 'daemon.log')})`);
    expect(s).toContain('R restart the daemon');
    expect(s).toContain('JOBS'); // the workbench, not a blank "connecting…" page
    await sleep(2_000);
    expect(existsSync(tui.exitFile)).toBe(false);

    // R tries again and shows the same reason (the environment is still bad); still no exit.
    await tui.press('R');
    await tui.waitScreen((x) => x.includes('starting the daemon…'), 'the restart attempt', 5_000);
    await tui.waitScreen((x) => x.includes('✖ the daemon exited with code 1 while starting') && x.includes('R restart the daemon'), 'the reason again', 20_000);
    expect(existsSync(tui.exitFile)).toBe(false);
    await tui.press('q');
    expect(await tui.exitCode()).toBe('0');
  }, 90_000);
});
