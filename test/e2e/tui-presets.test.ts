// Saved presets in the dashboard's new-job form, in a real terminal (tmux at 120×40 and 80×24, a real daemon
// on the fake engine) and with the real `framepack presets` CLI on the same config dir (issue 16
// "what to build"): Ctrl+L loads the preset named in the Preset field (a preset saved by the CLI),
// Ctrl+K saves the form as a preset the CLI lists, and the submit carries the loaded parameters,
// the sampler among them; at 80×24 the Preset field scrolls into view.
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { FormNav } from '../helpers/form-keys.js';
import { REPO_ROOT, startDaemon } from '../helpers/daemon-harness.js';
import { cleanupDashboards, openDashboard, trackBase } from '../helpers/tmux-dashboard.js';

const BIN = path.join(REPO_ROOT, 'bin', 'framepack.js');
afterEach(cleanupDashboards);

const framepack = async (args: string[], env: NodeJS.ProcessEnv) => (await promisify(execFile)(process.execPath, [BIN, ...args], { env, cwd: REPO_ROOT })).stdout;

describe('presets in the new-job form', () => {
  it('120×40: Ctrl+L loads a preset saved by the CLI, Ctrl+K saves the form as one, the submit carries it', async () => {
    const d = await startDaemon();
    trackBase(d.base);
    const cfg = path.join(d.base, 'cfg');
    mkdirSync(cfg, { recursive: true });
    const env = { ...d.env, FRAMEPACK_CONFIG_DIR: cfg };
    await framepack(['presets', 'save', 'draft', '--steps', '6', '--sampler', 'euler', '--shift', '3', '--prompt', 'waves roll in'], env);
    const tui = openDashboard(d.base, env, 120, 40);
    await tui.waitScreen((s) => s.includes('● ready'), 'the workbench');
    await tui.press('n');
    await tui.waitScreen((s) => s.includes('NEW JOB'), 'the form');
    tui.type(d.image());
    // Wait until the text is on screen: text and a control key read in one chunk arrive as one input.
    await tui.waitScreen((x) => x.includes(`${d.image()}▏`), 'the image typed');
    await tui.press('C-l'); // no name yet: focus goes to the Preset field and the notice names the saved ones
    await tui.waitScreen((s) => s.includes('type a preset name in Preset, then Ctrl+L (saved: draft)'), 'the hint');
    tui.type('draft');
    await tui.waitScreen((x) => /Preset\s+draft▏/.test(x), 'the name typed');
    await tui.press('C-l');
    await tui.waitScreen((x) => x.includes('loaded preset draft'), 'the preset loaded');
    // Back up to the Prompt field to see the loaded values; Sampler and Shift are in the closed
    // Advanced sampling group, whose header counts them as changed.
    const nav = new FormNav('preset');
    await tui.press(...nav.to('prompt'));
    let s = await tui.waitScreen((x) => /Prompt\s+waves roll in▏/.test(x), 'the Prompt field in view');
    expect(s).toMatch(/Steps\s+6\b/);
    expect(s).toContain('▸ Advanced sampling (8) · 2 changed');
    expect(s).not.toMatch(/Sampler\s+‹/);
    await tui.press(...nav.to('sampler')); // opens the group
    s = await tui.waitScreen((x) => /Sampler\s+‹ euler ›/.test(x), 'the group opened on the loaded sampler');
    expect(s).toMatch(/Shift\s+3\b/);
    await tui.press(...nav.to('preset'));
    await tui.waitScreen((x) => /Preset\s+draft▏/.test(x), 'back on the Preset field');
    await tui.press('C-u');
    tui.type('mine');
    await tui.waitScreen((x) => /Preset\s+mine▏/.test(x), 'the name typed');
    await tui.press('C-k');
    await tui.waitScreen((x) => x.includes('saved preset mine:'), 'the preset saved');
    const saved = JSON.parse(await framepack(['presets', 'ls', '--json'], env)) as Record<string, Record<string, unknown>>;
    expect(saved.mine).toMatchObject({ prompt: 'waves roll in', steps: 6, sampler: 'euler', shift: 3 });
    expect(saved.mine).not.toHaveProperty('image');
    await tui.press('C-s');
    await tui.waitScreen((x) => / · succeeded/.test(x), 'the job to succeed', 30_000);
    const jobs = JSON.parse(await framepack(['jobs', '--json'], env)) as { spec: Record<string, unknown> }[] | { jobs: { spec: Record<string, unknown> }[] };
    const list = Array.isArray(jobs) ? jobs : jobs.jobs;
    expect(list[0]!.spec).toMatchObject({ prompt: 'waves roll in', steps: 6, sampler: 'euler', shift: 3 });
  }, 60_000);

  it('80×24: the Preset field scrolls into view and Ctrl+L fills the fields above it', async () => {
    const d = await startDaemon();
    trackBase(d.base);
    const cfg = path.join(d.base, 'cfg');
    mkdirSync(cfg, { recursive: true });
    const env = { ...d.env, FRAMEPACK_CONFIG_DIR: cfg };
    await framepack(['presets', 'save', 'draft', '--sampler', 'euler', '--crf', '20'], env);
    const tui = openDashboard(d.base, env, 80, 24);
    await tui.waitScreen((s) => s.includes('● ready'), 'the workbench');
    await tui.press('n');
    await tui.waitScreen((s) => s.includes('NEW JOB'), 'the form');
    tui.type(d.image());
    await tui.waitScreen((x) => x.includes(`${d.image()}▏`), 'the image typed');
    await tui.press('C-l');
    await tui.waitScreen((s) => /Preset\s+▏/.test(s), 'the Preset field focused and in view');
    tui.type('draft');
    await tui.waitScreen((x) => /Preset\s+draft▏/.test(x), 'the name typed');
    await tui.press('C-l');
    // Sampler and CRF are in closed groups: their headers say a value there changed.
    const s = await tui.waitScreen((x) => x.includes('▸ Output & model (6) · 1 changed'), 'the preset in the closed groups');
    expect(s).toContain('▸ Advanced sampling (8) · 1 changed');
    expect(s).toMatch(/Preset\s+draft/);
  }, 60_000);
});
