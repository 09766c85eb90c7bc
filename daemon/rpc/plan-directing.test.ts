import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobPlanParams, JobPlanResult } from '../../shared/protocol/plan.js';
import { planHandlers } from './plan-handlers.js';

let dir: string;
let image: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'fp-plan-dir-'));
  image = path.join(dir, 'in.png');
  await sharp({ create: { width: 96, height: 64, channels: 3, background: { r: 10, g: 20, b: 30 } } }).png().toFile(image);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const call = async (params: Record<string, unknown>) =>
  planHandlers({ engine: { defaultModel: 'framepack-tiny' }, jobs: () => [] })['jobs.plan'](JobPlanParams.parse(params), {} as never);

describe('jobs.plan: the directing rows', () => {
  it('answers which prompt each section gets, in display order with the generation order, as `framepack plan --json`', async () => {
    const r = JobPlanResult.parse(await call({
      image, seconds: 6, prompt: '[0s: a red circle moves right] [2.5s: a red circle moves left]', promptBlend: 2,
      endImage: '/not/read.png', endStrength: 0.5, keyframes: [{ seconds: 2.5, image: '/not/read/either.png' }],
    }));
    expect(r.directing?.prompts).toEqual(['a red circle moves right', 'a red circle moves left']);
    expect(r.directing).toMatchObject({ promptBlend: 2, endImage: { strength: 0.5 }, keyframes: [{ seconds: 2.5, displaySection: 2 }] });
    expect(r.directing!.sections.map((s) => [s.displayIndex, s.generationIndex, s.prompt.from, s.prompt.to, s.prompt.weight, s.keyframe])).toEqual([
      [0, 4, 0, 0, 0, null], [1, 3, 0, 0, 0, null], [2, 2, 0, 1, 0.3333, 0], [3, 1, 0, 1, 0.6667, 0], [4, 0, 1, 1, 0, 0],
    ]);
  });

  it('leaves it out for a plain job and names the field of a bad timestamp', async () => {
    expect((await call({ image, seconds: 2, prompt: 'a cat' })).directing).toBeUndefined();
    await expect(call({ image, seconds: 2, prompt: '[0s-2s: a] [1s: b]' })).rejects.toMatchObject({ code: 'INVALID_PARAMS', message: 'prompt: [0s-2s: a] and [1s: b] overlap' });
  });
});
