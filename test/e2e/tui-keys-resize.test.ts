// Issue 16 item 13 in a real terminal (tmux at 80×24 and 120×40, a real daemon on the fake engine):
// - key bursts: keys typed faster than the dashboard reads arrive as one chunk ("jjj"); each must
//   act on the state the key before it produced — `jjj` moves three rows, `kk` two back, and `n`
//   followed by text opens the form and types the text into it;
// - resizing leaves nothing behind: in a shell with CI=true too (Ink turns its terminal mode off
//   there), the workbench draws in the alternate screen, redraws cleanly after resizes, and after q
//   the terminal's scrollback holds none of it.
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon } from '../helpers/daemon-harness.js';
import { cleanupDashboards, openDashboard, sleep, tmux, trackBase } from '../helpers/tmux-dashboard.js';

afterEach(cleanupDashboards);

/** The text of the selected (bold + inverse) list row in an `capture-pane -e` screen. */
function selectedRow(raw: string): string | null {
  for (const line of raw.split('\n')) {
    const at = line.indexOf('\x1b[1;7m');
    if (at >= 0) return line.slice(at).replace(/\x1b\[[0-9;]*m/g, '').slice(0, 22).trim();
  }
  return null;
}

describe('key bursts and resizes', () => {
  it('a burst of keys acts key by key, at 80×24 and 120×40', async () => {
    const d = await startDaemon();
    trackBase(d.base);
    const client = await d.client('setup');
    await client.call('queue.pause', {});
    for (const prompt of ['alpha', 'beta', 'gamma', 'delta']) await client.call('jobs.submit', { image: d.image(), prompt, seconds: 1, steps: 2 });
    client.close();
    for (const [cols, rows] of [[80, 24], [120, 40]] as const) {
      const tui = openDashboard(d.base, d.env, cols, rows);
      await tui.waitScreen((s) => s.includes('● ready') && s.includes('delta'), `the job list at ${cols}×${rows}`);
      const raw = () => tmux('capture-pane', '-p', '-e', '-t', tui.session);
      expect(selectedRow(raw())).toMatch(/alpha/);
      tui.type('jjj'); // one write: the terminal delivers it as one chunk
      for (let i = 0; i < 100 && !/delta/.test(selectedRow(raw()) ?? ''); i++) await sleep(100);
      expect(selectedRow(raw())).toMatch(/delta/);
      tui.type('kk');
      for (let i = 0; i < 100 && !/beta/.test(selectedRow(raw()) ?? ''); i++) await sleep(100);
      expect(selectedRow(raw())).toMatch(/beta/);
      // `n` opens the form; the keys after it are typed into its first field.
      tui.type('n/tmp/x.png');
      const s = await tui.waitScreen((x) => x.includes('NEW JOB') && /Image\s+\/tmp\/x\.png/.test(x), `the form with the burst typed at ${cols}×${rows}`);
      expect(s).not.toMatch(/Image\s+\/tmp\/x\.png[^▏\s]/); // nothing typed twice or out of order
      await tui.press('Escape', 'q', 'y');
      expect(await tui.exitCode()).toBe('0');
    }
  }, 90_000);

  it('CI=true shell: alternate screen, clean redraw after resizes, nothing in the scrollback after q', async () => {
    const d = await startDaemon();
    trackBase(d.base);
    for (const [cols, rows] of [[80, 24], [120, 40]] as const) {
      const tui = openDashboard(d.base, d.env, cols, rows, { ci: true });
      await tui.waitScreen((s) => s.includes('● ready'), `the workbench in a CI=true shell at ${cols}×${rows}`);
      expect(tmux('display', '-p', '-t', tui.session, '#{alternate_on}').trim()).toBe('1');
      for (const [x, y] of [[120, 40], [60, 20], [100, 30], [cols, rows]] as const) {
        tmux('resize-window', '-t', tui.session, '-x', String(x), '-y', String(y));
        await sleep(600);
      }
      const s = await tui.waitScreen((x) => x.trimEnd().split('\n').at(-1)!.includes('● ready'), 'the status bar on the last row');
      const lines = s.trimEnd().split('\n');
      expect(lines).toHaveLength(rows);
      // One workbench: one panel top border, one side-bar top border, no leftovers of other sizes.
      expect(lines.filter((l) => l.startsWith('╭')).length).toBe(1);
      expect(lines.filter((l) => l.includes('JOBS')).length).toBe(1);
      await tui.press('q');
      expect(await tui.exitCode()).toBe('0');
      const history = tmux('capture-pane', '-p', '-S', '-', '-E', '-', '-t', tui.session);
      expect(history).not.toMatch(/[╭╮╰╯│─▌]/);
      expect(history).not.toContain('JOBS');
    }
  }, 90_000);
});
