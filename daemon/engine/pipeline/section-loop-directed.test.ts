// The section loop with per-section inputs (section-inputs.ts) on the tiny bundle: a timestamped
// prompt's first generated section (inverted: the last one shown) is bit for bit the plain job of
// its prompt, and the other prompt changes the section it covers; an end frame and a keyframe change
// the sections they condition, and an end strength of 0 is the plain job.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTimedPrompt } from '../../../shared/domain/timed-prompt.js';
import { loadBundle } from '../../models/bundle/load-bundle.js';
import { runImageProjection } from '../../models/transformer/run-transformer.js';
import { SeededNoise } from '../seeded-noise.js';
import { planJob } from '../section-plan.js';
import { computeConditioning, encodePrompt, encodeStartLatent } from './conditioning.js';
import { resolveJobSpec } from './job-spec.js';
import { tensorToFrames } from './latent-frames.js';
import { REPO_MODELS_DIR } from './model-location.js';
import { planDirecting, type DirectingOptions } from './section-conditioning.js';
import { buildSectionInputs } from './section-inputs.js';
import { runSections } from './section-loop.js';
import { openSessions } from './sessions.js';
import { mkdtempSync } from 'node:fs';
import { fileTempDir } from '../../../test/helpers/temp-dir.js';

const bundle = await loadBundle(path.join(REPO_MODELS_DIR, 'framepack-tiny'), { verify: 'none' });
const sessions = await openSessions(bundle);
const manifest = bundle.manifest;
const g = { channels: manifest.latent.channels, height: 8, width: 12 };
const image = { width: 96, height: 64, rgb: Uint8Array.from({ length: 96 * 64 * 3 }, (_, i) => (i * 7) % 251) };
const other = { width: 96, height: 64, rgb: Uint8Array.from({ length: 96 * 64 * 3 }, (_, i) => (i * 13) % 241) };
const A = 'a red circle moves to the right on a yellow background';
const B = 'a red circle slides up on a yellow background';
const condA = await computeConditioning(sessions, manifest, image, { prompt: A, negativePrompt: '', cfg: 1 });
const condB = { ...condA, positive: await encodePrompt(sessions, manifest, B) };
const imageTokens = await runImageProjection(sessions.transformer, condA.imageEmbeddings);
const otherLatent = tensorToFrames(await encodeStartLatent(sessions, manifest, other))[0]!;
// 2.4 s = 2 sections; generation order: display 2 (1.2–2.4 s) first, then display 1.
const spec = resolveJobSpec({ imagePath: 'x.png', prompt: A, steps: 2, seconds: 2.4 }, manifest, 'framepack-tiny');
const plan = planJob({ mode: 'inverted', seconds: 2.4, latentHeight: g.height, latentWidth: g.width });

// The loop spools final frames to chunk files (pixel-store.ts); one folder per run.
const spoolRoot = fileTempDir('fp-directed-');

async function run(cond = condA, directing?: Partial<DirectingOptions>) {
  const dp = directing ? planDirecting({
    mode: 'inverted', sectionCount: 2, windowSize: 9, fps: 30, requestedSeconds: 2.4, timeline: parseTimedPrompt(A),
    promptBlend: 0, keyframeSeconds: [], endStrength: null, ...directing,
  }) : null;
  const directed = dp ? await buildSectionInputs(dp, {
    prompts: dp.prompts.map((p) => (p === A ? condA.positive : condB.positive)), startEmbedding: condA.imageEmbeddings, endEmbedding: condA.imageEmbeddings,
    keyframeLatents: [otherLatent], endLatent: otherLatent,
  }, (e) => runImageProjection(sessions.transformer, e)) : undefined;
  const r = await runSections({ sessions, manifest, spec, plan, geometry: g, conditioning: cond, imageTokens, noise: SeededNoise.fromSeed(spec.seed), onEvent: () => {}, spoolDir: mkdtempSync(path.join(spoolRoot, 'run-')), ...(directed ? { directed } : {}) });
  // Display order: [start, display section 1 (9), display section 2 (9)].
  return { start: r.latents[0]!, first: r.latents.slice(1, 10), second: r.latents.slice(10, 19) };
}

describe('section loop with directed sections', () => {
  it('a timestamped prompt: the section shown after the change is the plain job of its prompt, bit for bit', async () => {
    const timed = await run(condA, { timeline: parseTimedPrompt(`[0s: ${A}] [1.2s: ${B}]`) });
    const plainA = await run(condA);
    const plainB = await run(condB);
    expect(timed.second).toEqual(plainB.second);
    expect(timed.second).not.toEqual(plainA.second);
    // The first section shown is generated last, with prompt A but B's history: neither plain job.
    expect(timed.first).not.toEqual(plainB.first);
    expect(timed.first).not.toEqual(plainA.first);
  }, 120_000);

  it('an end frame and a keyframe change the sections they condition; frame 0 stays the start image', async () => {
    const plain = await run();
    const end = await run(condA, { endStrength: 1 });
    expect(end.second).not.toEqual(plain.second);
    // A keyframe at 1.3 s anchors display section 2, generated first.
    const key = await run(condA, { keyframeSeconds: [1.3] });
    expect(key.second).not.toEqual(plain.second);
    expect(key.start).toEqual(plain.start);
    expect(end.start).toEqual(plain.start);
    // Strength 0 is the plain job: a zero frame is what the history has there without an end image.
    expect(await run(condA, { endStrength: 0 })).toEqual(plain);
  }, 120_000);
});
