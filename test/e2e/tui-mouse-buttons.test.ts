// Issue 16 item 9, the rest of the mouse: clicks on buttons and on the new-job form, in a real
// terminal (tmux at 80×24 and 120×40, a real daemon on the fake engine). SGR reports typed into the
// pane at the cells where the screen shows the text: a panel tab's name shows that tab, the status
// bar's `? help` and `^P commands` open the key table and the palette, a click on a form field
// moves the form there (typing then goes into it; text typed just before the click, in the same
// write, still lands in the field it was typed into), a click on a choice's › steps it, and a click on
// [ Submit job ] submits the job.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIELDS } from '../../tui/views/form-state.js';
import { startDaemon } from '../helpers/daemon-harness.js';
import { cleanupDashboards, openDashboard, sleep, tmux, trackBase, type TmuxDashboard } from '../helpers/tmux-dashboard.js';

afterEach(cleanupDashboards);

/** Press and release of the left button at a 0-based cell, as an SGR report. */
async function click(tui: TmuxDashboard, x: number, y: number): Promise<void> {
  tui.type(`\x1b[<0;${x + 1};${y + 1}M\x1b[<0;${x + 1};${y + 1}m`);
  await sleep(250);
}

/** The 0-based cell where `text` is on the screen (the last match when `last`). */
function cellOf(screen: string, text: string | RegExp, last = false): { x: number; y: number } {
  const lines = screen.split('\n');
  const order = last ? [...lines.keys()].reverse() : [...lines.keys()];
  for (const y of order) {
    const m = typeof text === 'string' ? lines[y]!.indexOf(text) : lines[y]!.search(text);
    if (m >= 0) return { x: m, y };
  }
  throw new Error(`${String(text)} is not on the screen:\n${screen}`);
}

/**
 * Down until `text` is on the screen; each Down is drawn (the screen with colours changed) before
 * the next look, and the screen returned has settled: a Down still queued would scroll the form
 * under a click aimed at what this returns.
 */
async function downUntil(tui: TmuxDashboard, text: string): Promise<string> {
  const raw = () => tmux('capture-pane', '-p', '-e', '-t', tui.session);
  for (let i = 0; i < FIELDS.length && !tui.screen().includes(text); i++) {
    const before = raw();
    await tui.press('Down');
    for (const until = Date.now() + 2_000; raw() === before && Date.now() < until;) await sleep(50);
  }
  return tui.settle();
}

describe('mouse on buttons and the form', () => {
  it('panel tabs, status bar hints, form fields, a choice and Submit at 80×24 and 120×40', async () => {
    const d = await startDaemon();
    trackBase(d.base);
    const env = { ...d.env, FRAMEPACK_CONFIG_DIR: path.join(d.base, 'cfg') };
    for (const [cols, rows] of [[80, 24], [120, 40]] as const) {
      const tui = openDashboard(d.base, env, cols, rows);
      let s = await tui.waitScreen((x) => x.includes('● ready') && /\? (help|…)/.test(x), `the workbench at ${cols}×${rows}`);

      // Panel tabs.
      let at = cellOf(s, ' PROBLEMS ');
      await click(tui, at.x + 3, at.y);
      s = await tui.waitScreen((x) => x.includes('Enter opens the job'), 'the Problems tab after a click on its name');
      at = cellOf(s, ' DAEMON ');
      await click(tui, at.x + 2, at.y);
      await tui.waitScreen((x) => /socket/.test(x) && !x.includes('Enter opens the job'), 'the Daemon tab after a click on its name');

      // Status bar hints.
      s = tui.screen();
      at = cellOf(s, /\? (help|…)/, true); // cut to `? …` at 80 columns
      await click(tui, at.x, at.y);
      await tui.waitScreen((x) => /KEYS/.test(x), 'the key table after a click on ? help');
      await tui.press('Escape');
      s = await tui.waitScreen((x) => !/KEYS/.test(x) && x.includes('^P commands'), 'the key table closed');
      at = cellOf(s, '^P commands', true);
      await click(tui, at.x + 4, at.y);
      await tui.waitScreen((x) => x.includes('Enter runs · Esc closes'), 'the palette after a click on ^P commands');
      await tui.press('Escape');
      await tui.waitScreen((x) => !x.includes('Enter runs · Esc closes'), 'the palette closed');

      // The form: a click on Steps moves there; typing replaces its value.
      await tui.press('n');
      s = await tui.waitScreen((x) => x.includes('NEW JOB') && /Steps\s+25/.test(x), 'the form');
      // The image path and then a click on Steps in ONE write (typed fast, clicked at once): the
      // path still goes into Image, the click then moves to Steps, and typing replaces its value.
      at = cellOf(s, /Steps {5,}/);
      tui.type(`${d.image()}\x1b[<0;${at.x + 3};${at.y + 1}M\x1b[<0;${at.x + 3};${at.y + 1}m`);
      await sleep(300);
      tui.type('7');
      s = await tui.waitScreen((x) => /Steps\s+7▏/.test(x), 'Steps 7 typed after a click on Steps');
      expect(s).toMatch(/Image\s+\S*in\.png/);
      // Mode is in the closed "Advanced sampling" group: a click on its header opens it.
      at = cellOf(s, '▸ Advanced sampling');
      await click(tui, at.x + 2, at.y);
      await tui.waitScreen((x) => x.includes('▾ Advanced sampling'), 'the group opened by a click on its header');
      // At 24 rows Mode may be below the fold: Down until it shows, on a settled screen.
      s = await downUntil(tui, '‹ inverted ›');
      // A click on the Mode's › steps it (inverted → f1).
      const mode = cellOf(s, '‹ inverted ›');
      await click(tui, mode.x + '‹ inverted ›'.length - 1, mode.y);
      s = await tui.waitScreen((x) => x.includes('‹ f1 ›'), 'Mode f1 after a click on ›');
      // [ Submit job ] (move to the last fields first where 24 rows show only part of the form).
      s = await downUntil(tui, '[ Submit job ]');
      at = cellOf(s, '[ Submit job ]');
      await click(tui, at.x + 4, at.y);
      s = await tui.waitScreen((x) => x.includes('at position 1') || / · (queued|running|succeeded)/.test(x), 'the job submitted by a click on Submit');
      await tui.press('q');
      expect(await tui.exitCode()).toBe('0');
    }
    const client = await d.client('check');
    const { jobs } = await client.call('jobs.list', {});
    // One job per size, each with the clicked values.
    expect(jobs.map((j) => [j.spec.steps, j.spec.mode])).toEqual([[7, 'f1'], [7, 'f1']]);
    client.close();
  }, 120_000);
});
