// The new-job form in groups in a real terminal (tmux at 80×24, a real daemon on the fake engine):
// a new user sees the common fields and one `▸` header per group of expert fields, and reaches
// [ Submit job ] ten keys below the prompt; Enter on a header opens the group, ← closes it; a closed
// group with an error says so, and Ctrl+S opens it on the field; open groups stay open in the next form.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon } from '../helpers/daemon-harness.js';
import { cleanupDashboards, openDashboard, trackBase } from '../helpers/tmux-dashboard.js';
import { FormNav } from '../helpers/form-keys.js';

afterEach(cleanupDashboards);

async function jobsNow(client: Awaited<ReturnType<Awaited<ReturnType<typeof startDaemon>>['client']>>, count: number) {
  let jobs = (await client.call('jobs.list', {})).jobs;
  for (let i = 0; i < 50 && jobs.length < count; i++) {
    await new Promise((r) => setTimeout(r, 100));
    jobs = (await client.call('jobs.list', {})).jobs;
  }
  return jobs;
}

describe('the new-job form in groups', () => {
  it('80×24: Enter opens a group, a hidden error opens it on submit, groups stay open, Submit 10 keys below Prompt', async () => {
    const d = await startDaemon();
    trackBase(d.base);
    const tui = openDashboard(d.base, { ...d.env, FRAMEPACK_CONFIG_DIR: path.join(d.base, 'cfg') }, 80, 24);
    await tui.waitScreen((s) => s.includes('● ready'), 'the workbench');
    await tui.press('n');
    let s = await tui.waitScreen((x) => x.includes('NEW JOB'), 'the form');
    // The expert fields are behind their headers, not in the way.
    for (const header of ['▸ Directing (4)', '▸ Advanced sampling (8)', '▸ Output & model (6)', '▸ Extend (3)']) expect(s).toContain(header);
    expect(s).not.toMatch(/Distilled gs|Rescale rs|Keep-alive|Extend ctx/);
    tui.type(d.image());
    const nav = new FormNav();
    await tui.press(...nav.to('prompt'));
    tui.type('a red square');
    await tui.waitScreen((x) => /Prompt\s+a red square▏/.test(x), 'the prompt typed');

    // Enter on the Advanced sampling header opens it.
    await tui.press(...nav.toggle('sampling'));
    s = await tui.waitScreen((x) => x.includes('▾ Advanced sampling (8)') && /Distilled gs\s+10\b/.test(x), 'the group open');
    expect(s).toMatch(/CFG\s+1\b/);
    // An out-of-range gs, then ← on the header closes the group: its header says what is hidden in it.
    await tui.press(...nav.to('gs'));
    tui.type('99');
    await tui.waitScreen((x) => x.includes('✖ Distilled gs: must be 0–32 (got 99)'), 'the gs error');
    await tui.press(...nav.toHeader('sampling'), 'Left');
    s = await tui.waitScreen((x) => x.includes('▸ Advanced sampling (8) · 1 changed · 1 error'), 'the closed group with its error');
    expect(s).not.toMatch(/Distilled gs\s+99/);
    // Ctrl+S opens the group and focuses the field; nothing reaches the daemon.
    await tui.press('C-s');
    await tui.waitScreen((x) => /Distilled gs\s+99▏/.test(x) && x.includes('▾ Advanced sampling (8)'), 'the group opened on the error');
    const client = await d.client('check');
    expect((await client.call('jobs.list', {})).jobs).toEqual([]);
    await tui.press('C-u');
    tui.type('6');
    await tui.waitScreen((x) => /Distilled gs\s+6▏/.test(x) && !x.includes('✖ Distilled gs'), 'gs fixed');
    await tui.press('C-s');
    expect((await jobsNow(client, 1))[0]?.spec).toMatchObject({ prompt: 'a red square', gs: 6 });

    // The next form (defaults again) keeps Advanced sampling open for this session.
    await tui.press('n');
    s = await tui.waitScreen((x) => x.includes('NEW JOB') && x.includes('▾ Advanced sampling (8)') && /Mode\s+‹ inverted ›/.test(x), 'the next form with the group open');
    expect(s).toContain('▸ Directing (4)');
    tui.type(d.image());
    const next = new FormNav('image', ['sampling']);
    await tui.press(...next.toggle('sampling')); // closed again
    await tui.waitScreen((x) => x.includes('▸ Advanced sampling (8)') && !/Mode\s+‹/.test(x), 'the group closed');
    await tui.press(...next.to('prompt'));
    tui.type('a blue circle');
    await tui.waitScreen((x) => /Prompt\s+a blue circle▏/.test(x), 'the prompt typed');
    // Prompt → [ Submit job ]: Seconds, Seed, Steps, Cache, Preset, four headers, the button; Enter submits.
    const toSubmit = next.toSubmit();
    expect(toSubmit).toEqual(Array<string>(10).fill('Down'));
    await tui.press(...toSubmit, 'Enter');
    expect((await jobsNow(client, 2)).map((j) => [j.spec.prompt, j.spec.gs])).toEqual(expect.arrayContaining([['a red square', 6], ['a blue circle', 10]]));
    client.close();
  }, 60_000);
});
