// Issue 16 item 13, dashboard parts, in a real terminal (tmux at 120×40 — 80 columns leave the notice no room beside a running job —, a real daemon on the fake
// engine): typing into a number field replaces its value (`12` over 25 is 12, not 2512), the
// submit notice counts queue positions from 1 and goes once the job has finished, a finished job
// shows no stage, and the CPU-mode bar is the daemon's own RAM.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon } from '../helpers/daemon-harness.js';
import { cleanupDashboards, openDashboard, trackBase } from '../helpers/tmux-dashboard.js';
import { FormNav } from '../helpers/form-keys.js';

afterEach(cleanupDashboards);

describe('small dashboard fixes', () => {
  it('120×40: number fields replace, positions from 1, no stale notice or stage, the daemon\'s RAM', async () => {
    const d = await startDaemon({ env: { FRAMEPACK_FAKE_STEP_MS: '150' } });
    trackBase(d.base);
    const tui = openDashboard(d.base, { ...d.env, FRAMEPACK_CONFIG_DIR: path.join(d.base, 'cfg') }, 120, 40);
    await tui.waitScreen((s) => s.includes('● ready') && s.includes('daemon RAM'), 'the workbench with the daemon\'s RAM');
    await tui.press('n');
    await tui.waitScreen((s) => s.includes('NEW JOB'), 'the form');
    tui.type(d.image());
    await tui.press(...new FormNav().to('steps')); // → Steps (25)
    tui.type('12');
    let s = await tui.waitScreen((x) => /Steps\s+12\b/.test(x), 'steps replaced');
    expect(s).not.toMatch(/Steps\s+2512/);
    await tui.press('C-s');
    s = await tui.waitScreen((x) => x.includes('at position 1'), 'the submit notice, counted from 1');
    s = await tui.waitScreen((x) => / · succeeded/.test(x), 'the job to succeed', 30_000);
    s = await tui.waitScreen((x) => !x.includes('at position 1'), 'the stale notice gone', 5_000);
    expect(s).not.toMatch(/succeeded · stage/);
  }, 60_000);
});
