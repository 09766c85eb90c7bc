import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JobSpec } from '../../shared/protocol/index.js';
import type { EngineEvent, EngineRunContext, SectionCheckpoint } from './engine.js';
import { FakeEngine, fakeFrames } from './fake-engine.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fpe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const image = path.join(dir, 'in.png');
writeFileSync(image, 'png');

function ctx(over: Partial<EngineRunContext> = {}) {
  const events: EngineEvent[] = [];
  const checkpoints: SectionCheckpoint[] = [];
  const c: EngineRunContext = {
    signal: new AbortController().signal, stopAfterSection: () => false, onEvent: (e) => events.push(e), resume: null,
    checkpoint: async (cp) => { checkpoints.push(cp); }, acquire: async () => {}, release: async () => {}, ...over,
  };
  return { c, events, checkpoints };
}

describe('FakeEngine', () => {
  const engine = new FakeEngine({ stepMs: 0 });
  const spec = JobSpec.parse({ image, prompt: 'p', seconds: 5, steps: 2, seed: 7 });
  const job = (id: string) => ({ id, spec, model: 'fake-tiny', imagePath: image, jobDir: path.join(dir, id), outputPath: path.join(dir, `${id}.mp4`) });

  it('runs every section with steps and a checkpoint after each, inverted display order', async () => {
    const { c, events, checkpoints } = ctx();
    const out = await engine.run(job('a'), c);
    expect(out).toMatchObject({ outcome: 'succeeded', frames: fakeFrames(4, 9) });
    expect(events.filter((e) => e.type === 'step')).toHaveLength(8);
    expect(events.filter((e) => e.type === 'section.started').map((e) => (e as { displayIndex: number }).displayIndex)).toEqual([3, 2, 1, 0]);
    expect(checkpoints.map((cp) => cp.sectionsDone)).toEqual([1, 2, 3, 4]);
  });

  it('stops after a section when asked, and a resume from that checkpoint gives the identical output', async () => {
    const first = ctx({ stopAfterSection: () => true });
    expect(await engine.run(job('b'), first.c)).toEqual({ outcome: 'stopped', sectionsDone: 1 });
    const resumed = ctx({ resume: first.checkpoints.at(-1)! });
    await engine.run(job('b'), resumed.c);
    expect(resumed.events.find((e) => e.type === 'section.started')).toMatchObject({ index: 1 });
    expect(readFileSync(path.join(dir, 'b.mp4'), 'utf8')).toBe(readFileSync(path.join(dir, 'a.mp4'), 'utf8'));
  });

  it('refuses unknown models and unreadable images at validation', async () => {
    await expect(engine.validate(spec, 'other')).rejects.toMatchObject({ field: 'model', code: 'MODEL_MISSING' });
    await expect(engine.validate({ ...spec, image: path.join(dir, 'missing.png') }, 'fake-tiny')).rejects.toMatchObject({ field: 'image' });
  });

  it('honours cancel-now through the signal and scripted failures', async () => {
    const ac = new AbortController();
    const { c } = ctx({ signal: ac.signal, onEvent: (e) => { if (e.type === 'step') ac.abort(new Error('cancel')); } });
    await expect(engine.run(job('c'), c)).rejects.toThrow('cancel');
    const failing = { ...job('d'), spec: { ...spec, prompt: '[fail-at-section=2]' } };
    await expect(engine.run(failing, ctx().c)).rejects.toThrow(/section 2/);
  });
});
