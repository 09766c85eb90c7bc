// The `/` filter on the Jobs list in a real terminal (tmux at 80×24, a real daemon on the fake
// engine): typing narrows the list as it is typed, Enter keeps the filter and Enter then opens
// the one match, Esc clears it.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon } from '../helpers/daemon-harness.js';
import { cleanupDashboards, openDashboard, trackBase } from '../helpers/tmux-dashboard.js';
import { waitJobState } from '../helpers/wait-for.js';

afterEach(cleanupDashboards);

describe('the / filter', () => {
  it('80×24: narrows the Jobs list as typed; Enter opens the match; Esc clears', async () => {
    const d = await startDaemon();
    trackBase(d.base);
    const client = await d.client('setup');
    const ids: string[] = [];
    for (const prompt of ['a red fox', 'a blue bird', 'a green frog']) ids.push((await client.call('jobs.submit', { image: d.image(), prompt, seconds: 1, steps: 1 })).jobId);
    await waitJobState(client, ids[2]!, ['succeeded']);
    client.close();
    const tui = openDashboard(d.base, { ...d.env, FRAMEPACK_CONFIG_DIR: path.join(d.base, 'cfg') }, 80, 24);
    await tui.waitScreen((s) => s.includes('✔ a red fox') && s.includes('✔ a blue bird') && s.includes('✔ a green frog'), 'three jobs');
    await tui.press('/');
    tui.type('bird');
    let s = await tui.waitScreen((x) => x.includes('JOBS /bird') && x.includes('(1)'), 'the filter typed');
    expect(s).toContain('✔ a blue bird');
    expect(s).not.toContain('a red fox');
    await tui.press('Enter', 'Enter');
    s = await tui.waitScreen((x) => new RegExp(`${ids[1]} · succeeded`).test(x), 'the matching job opened');
    await tui.press('Escape', 'Escape'); // editor → side bar, then clear the filter
    s = await tui.waitScreen((x) => x.includes('a red fox') && !x.includes('/bird'), 'the filter cleared');
    expect(s).toContain('a green frog');
  }, 60_000);
});
