import { describe, expect, it } from 'vitest';
import { DEFAULT_KEYBINDINGS } from '../keys/keybindings.js';
import { builtinCommands, specForResubmit } from './builtin-commands.js';
import { CommandRegistry, filterCommands, type Command } from './command-registry.js';
import { JobSpec } from '../../shared/protocol/index.js';

type Ctx = { ready: boolean; ran: string[] };
const cmd = (id: string, title: string, category = 'Jobs', when?: (c: Ctx) => boolean): Command<Ctx> => ({ id, title, category, ...(when ? { when } : {}), run: (c) => void c.ran.push(id) });

describe('command registry', () => {
  it('registers, lists by `when`, executes, refuses duplicates and disposes', async () => {
    const r = new CommandRegistry<Ctx>();
    const dispose = r.register(cmd('jobs.cancel', 'Cancel Job Now', 'Jobs', (c) => c.ready));
    r.register(cmd('jobs.new', 'New Job'));
    expect(() => r.register(cmd('jobs.new', 'again'))).toThrow(/already registered/);
    const ctx: Ctx = { ready: false, ran: [] };
    expect(r.list(ctx).map((c) => c.id)).toEqual(['jobs.new']);
    expect(await r.execute('jobs.cancel', ctx)).toBe(false);
    expect(await r.execute('jobs.new', ctx)).toBe(true);
    expect(await r.execute('nope', ctx)).toBe(false);
    expect(ctx.ran).toEqual(['jobs.new']);
    dispose();
    expect(r.get('jobs.cancel')).toBeUndefined();
  });

  it('fuzzy-filters on "Category: Title", best matches first', () => {
    const list = [cmd('queue.pause', 'Pause Queue', 'Queue'), cmd('jobs.new', 'New Job'), cmd('outputs.open', 'Open Output in Player', 'Outputs')];
    expect(filterCommands(list, 'pause').map((c) => c.id)).toEqual(['queue.pause']);
    expect(filterCommands(list, 'op').map((c) => c.id)[0]).toBe('outputs.open');
    expect(filterCommands(list, 'zzz')).toEqual([]);
    expect(filterCommands(list, '  ')).toHaveLength(3);
  });

  it('the built-in table has unique ids and every default keybinding names a real command', () => {
    const ids = builtinCommands().map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of Object.values(DEFAULT_KEYBINDINGS)) expect(ids).toContain(id);
    for (const must of ['jobs.new', 'jobs.cancel', 'jobs.cancelAfterSection', 'queue.pause', 'queue.resume', 'outputs.open', 'models.load', 'models.unload', 'jobs.rerunNewSeed', 'jobs.copyToNew', 'workbench.quit']) expect(ids).toContain(must);
  });

  it('re-submits a job without its fixed output path and with overrides', () => {
    const spec = JobSpec.parse({ image: '/a.png', prompt: 'p', out: '/o/x.mp4', front: true, seed: 1 });
    const next = specForResubmit(spec, { seed: 9 });
    expect(next).toMatchObject({ image: '/a.png', prompt: 'p', seed: 9, front: false });
    expect('out' in next).toBe(false);
    expect(JobSpec.safeParse(next).success).toBe(true);
  });
});
