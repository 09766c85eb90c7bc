// Issue 16 item 11 in a real terminal (tmux at 80×24, a real daemon on the fake engine): the Jobs
// view lists jobs by prompt and image with their state and progress (no cut ids), and Enter in
// the Outputs view plays the video with the configured player.
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon } from '../helpers/daemon-harness.js';
import { cleanupDashboards, openDashboard, trackBase } from '../helpers/tmux-dashboard.js';
import { waitFileText, waitJobState } from '../helpers/wait-for.js';

afterEach(cleanupDashboards);

describe('jobs by what they are', () => {
  it('80×24: prompt and image with state and progress; Enter in Outputs plays the video', async () => {
    const d = await startDaemon({ env: { FRAMEPACK_FAKE_STEP_MS: '200' } });
    trackBase(d.base);
    const played = path.join(d.base, 'played');
    const player = path.join(d.base, 'player.sh');
    writeFileSync(player, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${played}'\n`);
    chmodSync(player, 0o755);
    const client = await d.client('setup');
    const image = d.image();
    const done = await client.call('jobs.submit', { image, prompt: 'a quick fox', seconds: 1, steps: 1 });
    await waitJobState(client, done.jobId, ['succeeded']);
    await client.call('jobs.submit', { image, prompt: 'a slow turtle walks', seconds: 5, steps: 25 });
    await client.call('jobs.submit', { image, prompt: 'a waiting heron', seconds: 1, steps: 2 });

    const tui = openDashboard(d.base, { ...d.env, FRAMEPACK_CONFIG_DIR: path.join(d.base, 'cfg'), FRAMEPACK_PLAYER: player }, 80, 24);
    const s = await tui.waitScreen((x) => x.includes('▶ a slow turtle walks') && /in\.png\s+\d\/\d+ \d+%/.test(x), 'the running job by its prompt');
    expect(s).toContain('◷ a waiting heron');
    expect(s).toMatch(/in\.png\s+#1 queued/);
    expect(s).toContain('✔ a quick fox');
    expect(s).toMatch(/in\.png\s+1\/1 done/);
    // No job id in the side bar (ids look like mx9i5l6v-a1b2c3).
    const side = s.split('\n').map((l) => l.slice(0, 26)).join('\n');
    expect(side).not.toMatch(/[a-z0-9]{8}-/);

    await tui.press('3');
    await tui.waitScreen((x) => x.includes('OUTPUTS') && x.includes('▣ a quick fox'), 'the Outputs view');
    await tui.press('Enter');
    const file = await waitFileText(played);
    expect(file.endsWith('.mp4')).toBe(true);
    expect((await client.call('jobs.get', { jobId: done.jobId })).job.outputPath).toBe(file);
    client.close();
  }, 60_000);
});
