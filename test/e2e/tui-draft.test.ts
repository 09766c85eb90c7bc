// Issue 16 item 13 (dashboard) in a real terminal (tmux at 80×24, a real daemon on the fake
// engine): `n` brings back the job being typed instead of wiping it, and Ctrl+C in the form asks
// before quitting (any other key stays, y quits with 0).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon } from '../helpers/daemon-harness.js';
import { cleanupDashboards, openDashboard, sleep, trackBase } from '../helpers/tmux-dashboard.js';

afterEach(cleanupDashboards);

describe('a draft is never lost to one key', () => {
  it('80×24: n keeps the draft; Ctrl+C in the form asks first', async () => {
    const d = await startDaemon();
    trackBase(d.base);
    const tui = openDashboard(d.base, { ...d.env, FRAMEPACK_CONFIG_DIR: path.join(d.base, 'cfg') }, 80, 24);
    await tui.waitScreen((s) => s.includes('● ready'), 'the workbench');
    await tui.press('n');
    await tui.waitScreen((s) => s.includes('NEW JOB'), 'the form');
    tui.type('/tmp/some.png');
    await tui.press('Enter');
    tui.type('half a thought');
    await tui.waitScreen((s) => /Prompt\s+half a thought/.test(s), 'the typed prompt');
    await tui.press('Escape', '2'); // leave the form for the Models view
    await tui.waitScreen((s) => s.includes('MODELS'), 'another view');
    await tui.press('n');
    let s = await tui.waitScreen((x) => x.includes('NEW JOB'), 'the form again');
    expect(s).toMatch(/Prompt\s+half a thought/);
    expect(s).toContain('/tmp/some.png');

    await tui.press('C-c');
    s = await tui.waitScreen((x) => x.includes('? Quit? The new job you are typing is not submitted'), 'the question');
    await tui.press('Escape'); // any other key: stay
    await tui.waitScreen((x) => !x.includes('? Quit?'), 'the question gone');
    await sleep(500);
    expect(existsSync(tui.exitFile)).toBe(false);
    await tui.press('C-c');
    await tui.waitScreen((x) => x.includes('? Quit?'), 'the question again');
    await tui.press('y');
    expect(await tui.exitCode()).toBe('0');
  }, 60_000);
});
