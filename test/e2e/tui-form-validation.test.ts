// Issue 16 item 6 in a real terminal (tmux at 80×24 and 120×40, a real daemon on the fake
// engine): the new-job form marks a field as soon as what is typed is out of range — with the
// ranges of `framepack generate` (steps 1–100, gs 0–32), not only the protocol's looser ones —
// shows the whole message, refuses Ctrl+S without asking the daemon, and puts the reason in Logs.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon } from '../helpers/daemon-harness.js';
import { cleanupDashboards, openDashboard, trackBase } from '../helpers/tmux-dashboard.js';
import { FormNav } from '../helpers/form-keys.js';

afterEach(cleanupDashboards);

describe('the new-job form validates each field as it is typed', () => {
  for (const [cols, rows] of [[80, 24], [120, 40]] as const) {
    it(`at ${cols}×${rows}: steps 250 and gs 99 are marked with their ranges, and Ctrl+S is refused into Logs`, async () => {
      const d = await startDaemon();
      trackBase(d.base);
      const tui = openDashboard(d.base, { ...d.env, FRAMEPACK_CONFIG_DIR: path.join(d.base, 'cfg') }, cols, rows);
      await tui.waitScreen((s) => s.includes('● ready'), 'the workbench');
      await tui.press('n');
      await tui.waitScreen((s) => s.includes('NEW JOB'), 'the form');
      tui.type(d.image());
      const nav = new FormNav();
      await tui.press(...nav.to('steps'), 'C-u');
      tui.type('250');
      let s = await tui.waitScreen((x) => x.includes('✖ Steps: must be an integer 1–100 (got 250)'), 'the steps error');
      expect(s).toMatch(/Steps\s+250/);
      await tui.press(...nav.to('gs'), 'C-u'); // → Distilled gs (opens Advanced sampling)
      tui.type('99');
      s = await tui.waitScreen((x) => x.includes('✖ Distilled gs: must be 0–32 (got 99)'), 'the gs error');
      await tui.press('C-s');
      s = await tui.waitScreen((x) => /error\s+form\s+cannot submit: Steps: must be an integer 1–100/.test(x), 'the refusal in Logs');
      expect(s).toContain('cannot submit: steps, gs');
      const client = await d.client('check');
      expect((await client.call('jobs.list', {})).jobs).toEqual([]);
      // Fixing the value clears the mark at once.
      await tui.press('C-u');
      tui.type('10');
      s = await tui.waitScreen((x) => /Distilled gs\s+10\b/.test(x) && !x.includes('✖ Distilled gs'), 'gs fixed');
      expect(s).toContain('✖ Steps: must be an integer 1–100 (got 250)'); // still marked
    }, 60_000);
  }
});
