// Issue 17 items 4–6 in a real terminal (tmux 120×40, a real daemon on the fake engine): the
// new-job form submits an extension — no image, the video, its context frames — and a resolution
// class, and the daemon records them (mode f1, as every extension runs).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon } from '../helpers/daemon-harness.js';
import { cleanupDashboards, openDashboard, trackBase } from '../helpers/tmux-dashboard.js';
import { FormNav } from '../helpers/form-keys.js';

afterEach(cleanupDashboards);

describe('the new-job form submits an extension', () => {
  it('120×40: Image empty, Extend video + Extend ctx + Resolution → jobs.submit carries them', async () => {
    const d = await startDaemon();
    trackBase(d.base);
    const video = path.join(d.base, 'clip.mp4');
    await writeFile(video, 'the fake engine only reads it');
    const tui = openDashboard(d.base, { ...d.env, FRAMEPACK_CONFIG_DIR: path.join(d.base, 'cfg') }, 120, 40);
    await tui.waitScreen((s) => s.includes('● ready'), 'the workbench');
    await tui.press('n');
    await tui.waitScreen((s) => s.includes('NEW JOB'), 'the form');
    const nav = new FormNav();
    await tui.press(...nav.to('resolution')); // Image → Resolution (opens Output & model)
    tui.type('160');
    await tui.waitScreen((x) => /Resolution\s+160▏/.test(x), 'the class typed');
    await tui.press(...nav.to('extend')); // → Extend video (opens Extend)
    tui.type(video);
    await tui.waitScreen((x) => x.includes(`${video}▏`), 'the video typed');
    await tui.press(...nav.to('extendContext')); // → Extend ctx
    tui.type('9');
    await tui.waitScreen((x) => /Extend ctx\s+9▏/.test(x), 'the context typed');
    await tui.press('C-s');
    await tui.waitScreen((x) => x.includes('queued '), 'the submit');
    const client = await d.client('check');
    const [job] = (await client.call('jobs.list', {})).jobs;
    expect(job?.spec).toMatchObject({ extend: video, extendContext: 9, resolution: 160, mode: 'f1' });
    expect(job?.spec.image).toBeUndefined();
  }, 60_000);
});
