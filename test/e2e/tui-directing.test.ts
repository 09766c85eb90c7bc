// The new-job form's directing fields in a real terminal (tmux 120×40, a real daemon on the fake
// engine): a timestamped prompt with overlapping spans is marked as it is typed; a prompt blend, an
// end image and a keyframe typed into their fields reach jobs.submit as the protocol's promptBlend,
// endImage and keyframes (docs/directing.md).
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon } from '../helpers/daemon-harness.js';
import { cleanupDashboards, openDashboard, trackBase } from '../helpers/tmux-dashboard.js';
import { FormNav } from '../helpers/form-keys.js';

afterEach(cleanupDashboards);

describe('directing from the dashboard', () => {
  it('marks overlapping prompt spans, then submits prompt blend, end image and keyframe', async () => {
    const d = await startDaemon();
    trackBase(d.base);
    const tui = openDashboard(d.base, { ...d.env, FRAMEPACK_CONFIG_DIR: path.join(d.base, 'cfg') }, 120, 40);
    await tui.waitScreen((s) => s.includes('● ready'), 'the workbench');
    await tui.press('n');
    await tui.waitScreen((s) => s.includes('NEW JOB'), 'the form');
    tui.type(d.image());
    const nav = new FormNav();
    await tui.press(...nav.to('prompt'));
    tui.type('[0s-2s: a ball] [1s: a box]');
    await tui.waitScreen((x) => x.includes('✖ Prompt: [0s-2s: a ball] and [1s: a box] overlap'), 'the overlap mark');
    await tui.press('C-u');
    tui.type('[0s: a ball rolls] [1.2s: the ball jumps]');
    await tui.waitScreen((x) => /Prompt\s+\[0s: a ball rolls\] \[1\.2s: the ball jumps\]/.test(x) && !x.includes('✖ Prompt'), 'the fixed prompt');
    // Prompt → Prompt blend: the Directing group's header, Enter opens it, then down into it.
    await tui.press(...nav.to('promptBlend'));
    tui.type('1');
    await tui.press(...nav.to('endImage'));
    tui.type(d.image());
    await tui.press(...nav.to('keyframes'));
    tui.type(`1.3=${d.image()}`);
    await tui.waitScreen((x) => /Keyframes\s+1\.3=/.test(x) && /Prompt blend\s+1\b/.test(x), 'the directing fields');
    await tui.press('C-s');
    const client = await d.client('check');
    let jobs: Awaited<ReturnType<typeof client.call<'jobs.list'>>>['jobs'] = [];
    for (let i = 0; i < 100 && jobs.length === 0; i++) {
      jobs = (await client.call('jobs.list', {})).jobs;
      if (jobs.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(jobs[0]?.spec).toMatchObject({ prompt: '[0s: a ball rolls] [1.2s: the ball jumps]', promptBlend: 1, endImage: d.image(), keyframes: [{ seconds: 1.3, image: d.image() }] });
  }, 60_000);
});
