// Issue 16 item 8 in a real terminal (tmux, a real daemon on the fake engine): at 80×24 the `?`
// key table is taller than the editor, says so and scrolls to its last row (the form keys); at
// 120×40 the new-job form's key line shows every form key, uncut.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon } from '../helpers/daemon-harness.js';
import { cleanupDashboards, openDashboard, trackBase } from '../helpers/tmux-dashboard.js';

afterEach(cleanupDashboards);

async function dashboard(cols: number, rows: number) {
  const d = await startDaemon();
  trackBase(d.base);
  const tui = openDashboard(d.base, { ...d.env, FRAMEPACK_CONFIG_DIR: path.join(d.base, 'cfg') }, cols, rows);
  await tui.waitScreen((s) => s.includes('● ready'), 'the workbench');
  return tui;
}

describe('help and key lines fit the terminal', () => {
  it('80×24: the ? table scrolls to its last rows', async () => {
    const tui = await dashboard(80, 24);
    await tui.press('?');
    let s = await tui.waitScreen((x) => /KEYS 1–\d+ of \d+/.test(x), 'the scrollable help');
    const total = Number(/KEYS 1–(\d+) of (\d+)/.exec(s)![2]);
    expect(total).toBeGreaterThan(Number(/KEYS 1–(\d+)/.exec(s)![1]));
    expect(s).not.toContain('New-job form');
    await tui.press('End');
    s = await tui.waitScreen((x) => x.includes('New-job form') && new RegExp(`KEYS \\d+–${total} of ${total}`).test(x), 'the last rows');
    expect(s.replace(/\s*│?\s*\n\s*│?\s*/g, ' ')).toContain('Esc leave');
    await tui.press('Home');
    await tui.waitScreen((x) => /KEYS 1–/.test(x) && !x.includes('New-job form'), 'back at the top');
    await tui.press('x'); // any other key closes
    await tui.waitScreen((x) => !x.includes('KEYS '), 'the help closed');
  }, 60_000);

  it('120×40: the form key line shows every key, uncut', async () => {
    const tui = await dashboard(120, 40);
    await tui.press('n');
    const s = await tui.waitScreen((x) => x.includes('NEW JOB'), 'the form');
    // The editor column of the two key rows, joined as one text.
    const header = s.split('\n').filter((l) => l.includes('NEW JOB') || l.includes('Esc leave'))
      .map((l) => l.slice(l.indexOf('││') + 2).replace(/│\s*$/, '').trim()).join(' ');
    for (const key of ['Enter next', 'Enter/Space ▸ group', 'Ctrl+R random seed', 'Space cache', 'Ctrl+U clear', 'Ctrl+S submit', 'Esc leave']) expect(header).toContain(key);
    expect(s).not.toMatch(/NEW JOB[^\n]*…/);
  }, 60_000);
});
