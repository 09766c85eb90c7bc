// The new-job form's plan shows a timestamped prompt's per-section prompts (issue 17: "plan shows
// which prompt each section gets, in display order and generation order") from the daemon's
// jobs.plan `directing` answer, compact enough for 80×24. A real daemon (ONNX engine: jobs.plan
// reads the default bundle's manifest), tmux at 120×40 and 80×24.
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon } from '../helpers/daemon-harness.js';
import { cleanupDashboards, openDashboard, trackBase } from '../helpers/tmux-dashboard.js';
import { FormNav } from '../helpers/form-keys.js';

afterEach(cleanupDashboards);

describe('the form plan of a timestamped prompt', () => {
  it('lists the prompts and which one each section gets, video order with generation order, at 120×40 and 80×24', async () => {
    const d = await startDaemon({ env: { FRAMEPACK_ENGINE: 'onnx' } });
    trackBase(d.base);
    const env = { ...d.env, FRAMEPACK_CONFIG_DIR: path.join(d.base, 'cfg') };
    const image = path.join(d.base, 'start.png');
    await sharp({ create: { width: 96, height: 64, channels: 3, background: { r: 200, g: 30, b: 30 } } }).png().toFile(image);
    for (const [cols, rows] of [[120, 40], [80, 24]] as const) {
      const tui = openDashboard(d.base, env, cols, rows);
      await tui.waitScreen((s) => s.includes('● ready'), `the workbench at ${cols}×${rows}`);
      await tui.press('n');
      await tui.waitScreen((s) => s.includes('NEW JOB'), 'the form');
      tui.type(image);
      const nav = new FormNav();
      await tui.press(...nav.to('prompt'));
      tui.type('[0s: a ball rolls] [2.5s: the ball jumps]');
      // Prompt → Prompt blend: Enter on the Directing header opens it.
      await tui.press(...nav.to('promptBlend'));
      tui.type('1');
      // 5 s = 4 sections of 1.2 s; the change at 2.5 s takes effect in the third shown (generated
      // second), blended half-way, the last shown (generated first) is P2 alone.
      // At 80×24 the editor is about 51 columns: the runs wrap onto a second line.
      const runs = cols >= 120 ? /video order \[made\]: 1–2\[4–3\] P1 · 3\[2\] P1→P2 50% · 4\[1\] P2/ : /video order \[made\]: 1–2\[4–3\] P1 · 3\[2\] P1→P2 50%\s*│\n.*│ {2}4\[1\] P2\s/;
      const s = await tui.waitScreen((x) => runs.test(x), `the per-section prompts at ${cols}×${rows}`, 30_000);
      expect(s).toContain(cols >= 120 ? 'prompts: P1 a ball rolls · P2 the ball jumps (blend 1)' : 'prompts: P1 a ball rolls · P2 the ball jumps');
      // The rest of the plan is still there, and the form keeps its fields on screen.
      expect(s).toMatch(/plan: \d+×\d+ bucket/);
      expect(s).toMatch(/Prompt blend\s+1/);
      await tui.press('Escape', 'q', 'y');
      expect(await tui.exitCode()).toBe('0');
    }
  }, 120_000);
});
