// Issue 16 item 10 in a real terminal (tmux at 160×50, a real daemon on the fake engine, which writes
// a real 64×40 PNG per decoded section): the job view shows the decoded frame large in the rows its
// text leaves free, and the latent strip's line below it; under NO_COLOR as ASCII characters.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon } from '../helpers/daemon-harness.js';
import { cleanupDashboards, openDashboard, sleep, trackBase } from '../helpers/tmux-dashboard.js';

afterEach(cleanupDashboards);

describe('job view preview', () => {
  async function openRunningJob(env: NodeJS.ProcessEnv = {}) {
    const d = await startDaemon({ env: { FRAMEPACK_FAKE_STEP_MS: '120' } });
    trackBase(d.base);
    const client = await d.client('setup');
    const { jobId } = await client.call('jobs.submit', { image: d.image(), prompt: 'a big picture', seconds: 5, steps: 25 });
    // Wait until the first section is decoded, so the frame exists when the dashboard opens.
    for (let i = 0; i < 100 && ((await client.call('jobs.get', { jobId })).job.progress?.frames ?? 0) === 0; i++) await sleep(100);
    client.close();
    const tui = openDashboard(d.base, { ...d.env, ...env, FRAMEPACK_CONFIG_DIR: path.join(d.base, 'cfg') }, 160, 50);
    await tui.waitScreen((x) => x.includes('▶ a big picture'), 'the running job in the side bar');
    await tui.press('Enter');
    // A whole frame: tmux can be read while the dashboard's redraw (tens of KB at 160×50, every
    // step of the running job) is still arriving; the status bar on the last row is drawn last.
    const s = await tui.waitScreen((x) => /frame · section \d+ · 64×40 → \d+×\d+ cells/.test(x) && x.trimEnd().split('\n').at(-1)!.includes('● ready'), 'the decoded frame');
    const [, cols, rows] = /64×40 → (\d+)×(\d+) cells/.exec(s)!.map(Number);
    const lines = s.split('\n');
    const caption = lines.findIndex((l) => l.includes('frame · section'));
    return { cols: cols!, rows: rows!, lines, caption, picture: lines.slice(caption + 1, caption + 1 + rows!) };
  }

  it('160×50: the newest decoded frame fills the free editor rows, the latent strip below', async () => {
    const { cols, rows, lines, caption, picture } = await openRunningJob();
    // The picture: `rows` lines of `cols` half blocks right under its caption, and nothing cut.
    for (const l of picture) expect((l.match(/▀+/) ?? [''])[0].length).toBe(cols);
    // Large: most of the editor's free rows (50 rows − status/panel − the job's ~10 text lines), keeping 64:40.
    expect(rows).toBeGreaterThanOrEqual(18);
    expect(Math.abs(cols / (rows * 2) - 64 / 40)).toBeLessThan(0.1);
    // The latent strip's line follows the picture (the fake engine's is not an image, and it says so).
    expect(lines[caption + 1 + rows]).toContain('latent · section');
  }, 60_000);

  it('NO_COLOR: the same picture area drawn with an ASCII brightness ramp, no half blocks', async () => {
    const { cols, rows, picture } = await openRunningJob({ NO_COLOR: '1' });
    expect(rows).toBeGreaterThanOrEqual(18);
    for (const l of picture) {
      expect(l).not.toContain('▀');
      // The fake frame ramps from black on the left to red on the right: dark characters first, bright ones last.
      // The side bar's and the editor's borders side by side (the focused one heavy without colour).
      const at = l.search(/[│┃][│┃]/) + 2;
      const inside = l.slice(at, at + cols);
      expect(inside).toMatch(/^[ .:\-=+*#%@]+$/);
      expect(inside.trimEnd().length).toBeGreaterThan(cols / 2);
    }
  }, 60_000);
});
