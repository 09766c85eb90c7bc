// Issue 16 item 9 in a real terminal (tmux at 80×24, a real daemon on the fake engine): the panel
// toggles with Ctrl+T (Ctrl+J arrives as a line feed), its Logs scroll back and follow again, and
// a failed job in Problems is selected with the arrows and opened with Enter.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon } from '../helpers/daemon-harness.js';
import { cleanupDashboards, openDashboard, trackBase } from '../helpers/tmux-dashboard.js';
import { waitJobState } from '../helpers/wait-for.js';

afterEach(cleanupDashboards);

describe('the bottom panel from the keyboard', () => {
  it('80×24: Ctrl+T toggles it, Logs scroll, Enter on a failed job in Problems opens it', async () => {
    const d = await startDaemon();
    trackBase(d.base);
    const tui = openDashboard(d.base, { ...d.env, FRAMEPACK_CONFIG_DIR: path.join(d.base, 'cfg') }, 80, 24);
    await tui.waitScreen((s) => s.includes('● ready'), 'the workbench');
    // Log lines and a failed job, made while the dashboard watches.
    const client = await d.client('setup');
    const ids: string[] = [];
    for (const prompt of ['one', 'two [fail-at-section=1]', 'three']) ids.push((await client.call('jobs.submit', { image: d.image(), prompt, seconds: 1, steps: 2 })).jobId);
    for (const jobId of ids) await waitJobState(client, jobId, ['succeeded', 'failed']);
    const failed = ids[1]!;

    await tui.press('C-t');
    await tui.waitScreen((s) => !s.includes('LOGS'), 'the panel hidden');
    await tui.press('C-t');
    await tui.waitScreen((s) => s.includes('LOGS'), 'the panel shown');

    await tui.press('Tab', 'Tab'); // side bar → editor → panel
    await tui.waitScreen((s) => s.includes('↑↓ PgUp PgDn scroll'), 'the focused panel');
    await tui.press('Home');
    let s = await tui.waitScreen((x) => /lines 1–\d+ of (\d+) · End follows/.test(x), 'the oldest log lines');
    const total = Number(/lines 1–\d+ of (\d+)/.exec(s)![1]);
    expect(total).toBeGreaterThan(4);
    await tui.press('Down');
    await tui.waitScreen((x) => /lines 2–\d+ of \d+/.test(x), 'one line down');
    await tui.press('End');
    await tui.waitScreen((x) => !/lines \d+–\d+ of/.test(x) && x.includes('LOGS'), 'following again');

    await tui.press('t');
    s = await tui.waitScreen((x) => x.includes('Enter opens the job') && x.includes(`✖ job ${failed.slice(0, 8)}`), 'Problems with the failed job');
    await tui.press('End', 'Enter');
    s = await tui.waitScreen((x) => new RegExp(`✖ ${failed}\\S* · failed`).test(x), 'the failed job opened');
    expect(s).toContain('scripted failure at section 1');
  }, 60_000);
});
