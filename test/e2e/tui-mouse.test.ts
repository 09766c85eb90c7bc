// Issue 16 item 9 (mouse) in a real terminal: tmux at 120×30, a real daemon on the fake engine. The
// dashboard turns SGR mouse tracking on (tmux reports the pane's mode flags), SGR reports typed
// into the pane with `send-keys -l` switch views from the activity bar, select a job by clicking
// its row and move the selection with the wheel, the wheel scrolls Logs, and quitting turns tracking off again.
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon } from '../helpers/daemon-harness.js';
import { cleanupDashboards, openDashboard, sleep, tmux, trackBase } from '../helpers/tmux-dashboard.js';
import { waitFileText, waitJobState } from '../helpers/wait-for.js';

afterEach(cleanupDashboards);

/** An SGR report: button code, 1-based column and row, press (M) or release (m). */
const sgr = (code: number, col: number, row: number, final: 'M' | 'm' = 'M') => `\x1b[<${code};${col};${row}${final}`;

describe('mouse', () => {
  it('120×30: clicks on the activity bar, an output row and a job row, the wheel in the list and in Logs; tracking off after quit', async () => {
    const d = await startDaemon({ env: { FRAMEPACK_FAKE_STEP_MS: '20' } });
    trackBase(d.base);
    const played = path.join(d.base, 'played');
    const player = path.join(d.base, 'player.sh');
    writeFileSync(player, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${played}'\n`);
    chmodSync(player, 0o755);
    const tui = openDashboard(d.base, { ...d.env, FRAMEPACK_CONFIG_DIR: path.join(d.base, 'cfg'), FRAMEPACK_PLAYER: player }, 120, 30);
    await tui.waitScreen((x) => x.includes('● ready'), 'the workbench');
    // Jobs run while the dashboard watches, so the Logs panel has lines to scroll.
    const client = await d.client('setup');
    const outputs: Record<string, string> = {};
    for (const prompt of ['alpha', 'beta', 'gamma']) {
      const { jobId } = await client.call('jobs.submit', { image: d.image(), prompt, seconds: 1, steps: 1 });
      outputs[prompt] = (await waitJobState(client, jobId, ['succeeded'])).outputPath!;
    }
    await tui.waitScreen((x) => x.includes('✔ alpha') && x.includes('✔ gamma'), 'the three jobs');
    const flags = () => tmux('display', '-p', '-t', tui.session, '#{mouse_standard_flag} #{mouse_sgr_flag}').trim();
    expect(flags()).toBe('1 1');

    // Activity bar: rows J M O D S from the top, 3 columns wide. O (row 3) → Outputs, J (row 1) → Jobs.
    tui.type(sgr(0, 2, 3) + sgr(0, 2, 3, 'm'));
    await tui.waitScreen((x) => /│OUTPUTS/.test(x), 'the Outputs view after a click on O');
    // Outputs, newest first, two rows each from row 3: gamma (3–4), beta (5–6), alpha (7–8). A click on beta, Enter plays it.
    tui.type(sgr(0, 10, 6) + sgr(0, 10, 6, 'm'));
    await sleep(300);
    await tui.press('Enter');
    expect(await waitFileText(played)).toBe(outputs.beta);
    tui.type(sgr(0, 2, 1) + sgr(0, 2, 1, 'm'));
    await tui.waitScreen((x) => /│JOBS/.test(x), 'the Jobs view after a click on J');

    // Jobs, newest first: gamma (rows 4–5), beta (6–7), alpha (8–9), under the border, title and counters.
    tui.type(sgr(0, 10, 8) + sgr(0, 10, 8, 'm'));
    await sleep(300);
    await tui.press('Enter');
    await tui.waitScreen((x) => x.includes('prompt: alpha'), 'alpha opened after a click on its row');
    // The wheel over the list moves the selection up one job (focus is in the editor now: Esc back).
    tui.type(sgr(64, 10, 8));
    await sleep(300);
    await tui.press('Escape', 'Enter');
    await tui.waitScreen((x) => x.includes('prompt: beta'), 'beta opened after one wheel notch up');
    // The wheel over the panel (rows 22–29 at 120×30) scrolls Logs back three lines, then follows again.
    tui.type(sgr(64, 50, 25));
    let s = await tui.waitScreen((x) => /lines \d+–\d+ of \d+ · End follows/.test(x), 'Logs scrolled back by the wheel');
    const [, , last, total] = /lines (\d+)–(\d+) of (\d+)/.exec(s)!.map(Number);
    expect(last).toBe(total! - 3);
    tui.type(sgr(65, 50, 25) + sgr(65, 50, 25));
    s = await tui.waitScreen((x) => !/lines \d+–\d+ of/.test(x), 'Logs following again after wheel down');
    // No report leaked into the dashboard as typed keys: no stray "[<" on screen.
    expect(tui.screen()).not.toContain('[<');

    await tui.press('q');
    expect(await tui.exitCode()).toBe('0');
    expect(flags()).toBe('0 0');
    client.close();
  }, 60_000);
});
