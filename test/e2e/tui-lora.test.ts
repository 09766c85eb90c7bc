// The new-job form's LoRAs field in a real terminal (tmux, a real daemon on the fake engine): a
// relative path is marked at once; `FILE:STRENGTH, FILE` absolute is submitted as JobSpec.loras.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon } from '../helpers/daemon-harness.js';
import { cleanupDashboards, openDashboard, trackBase } from '../helpers/tmux-dashboard.js';
import { FormNav } from '../helpers/form-keys.js';

afterEach(cleanupDashboards);

describe('the new-job form takes LoRAs', () => {
  it('marks a relative path, then submits FILE:STRENGTH entries as JobSpec.loras', async () => {
    const d = await startDaemon();
    trackBase(d.base);
    const tui = openDashboard(d.base, { ...d.env, FRAMEPACK_CONFIG_DIR: path.join(d.base, 'cfg') }, 120, 40);
    await tui.waitScreen((s) => s.includes('● ready'), 'the workbench');
    await tui.press('n');
    await tui.waitScreen((s) => s.includes('NEW JOB'), 'the form');
    tui.type(d.image());
    await tui.press(...new FormNav().to('loras')); // opens Output & model
    tui.type('blue.safetensors');
    await tui.waitScreen((x) => x.includes('✖ LoRAs: must be an absolute path (got blue.safetensors)'), 'the relative-path mark');
    await tui.press('C-u');
    tui.type('/loras/blue.safetensors:0.7, /loras/style.safetensors');
    await tui.waitScreen((x) => !x.includes('✖ LoRAs'), 'the mark cleared');
    await tui.press('C-s');
    const client = await d.client('check');
    let jobs = (await client.call('jobs.list', {})).jobs;
    for (let i = 0; i < 50 && jobs.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      jobs = (await client.call('jobs.list', {})).jobs;
    }
    expect(jobs[0]?.spec.loras).toEqual([{ path: '/loras/blue.safetensors', strength: 0.7 }, { path: '/loras/style.safetensors', strength: 1 }]);
  }, 60_000);
});
