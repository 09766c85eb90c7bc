// Issue 16 item 12, dashboard part: NO_COLOR reaches the dashboard's Ink colours. The real
// dashboard in tmux (80×24 and 120×40) against a real daemon (fake engine) with a finished job:
// the screen as tmux holds it (`capture-pane -e`, every attribute as SGR) has no colour at all
// with NO_COLOR=1, while the selection stays visible (inverse) and the focused part has a heavy
// border; without NO_COLOR the same screen is coloured (so the count can see colours).
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon } from '../helpers/daemon-harness.js';
import { cleanupDashboards, openDashboard, sleep, tmux, trackBase } from '../helpers/tmux-dashboard.js';
import { waitJobState } from '../helpers/wait-for.js';

afterEach(cleanupDashboards);

/**
 * SGR sequences that set a foreground or background colour (30–38, 40–48, 90–97, 100–107); 39 and
 * 49 (back to the terminal's default colours) are not colour — tmux writes them after an inverse run.
 */
function colourCodes(raw: string): string[] {
  return [...raw.matchAll(/\x1b\[([0-9;:]*)m/g)]
    .filter((m) => m[1]!.split(/[;:]/).some((p) => { const n = Number(p); return p !== '' && ((n >= 30 && n <= 38) || (n >= 40 && n <= 48) || (n >= 90 && n <= 107)); }))
    .map((m) => m[0]);
}

describe('NO_COLOR in the dashboard', () => {
  it('no colour escapes at 80×24 and 120×40, selection and focus still visible', async () => {
    const d = await startDaemon();
    trackBase(d.base);
    const client = await d.client('setup');
    const { jobId } = await client.call('jobs.submit', { image: d.image(), prompt: 'a red kite', seconds: 1, steps: 2 });
    await waitJobState(client, jobId, ['succeeded']);
    client.close();
    const base = { ...d.env, FRAMEPACK_CONFIG_DIR: path.join(d.base, 'cfg') };
    for (const [cols, rows] of [[80, 24], [120, 40]] as const) {
      for (const noColor of [true, false]) {
        const tui = openDashboard(d.base, noColor ? { ...base, NO_COLOR: '1' } : base, cols, rows);
        await tui.waitScreen((s) => s.includes('● ready') && s.includes('a red kite'), `the workbench at ${cols}×${rows}`);
        await tui.press('Escape'); // focus on the side bar (the job list)
        await sleep(300);
        const raw = tmux('capture-pane', '-p', '-e', '-t', tui.session);
        if (noColor) {
          expect(colourCodes(raw), `colour codes with NO_COLOR at ${cols}×${rows}`).toEqual([]);
          // The selected job row is inverse; the focused side bar's border is heavy.
          expect(raw).toMatch(/\x1b\[(?:[0-9]*;)*7(?:;[0-9]*)*m[^\x1b]*a red kite/);
          expect(raw).toContain('┏');
        } else {
          expect(colourCodes(raw).length).toBeGreaterThan(10);
          expect(raw).not.toContain('┏');
        }
        await tui.press('q');
        expect(await tui.exitCode()).toBe('0');
      }
    }
  }, 90_000);
});
