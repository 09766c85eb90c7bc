// The section loop on the default model against the whole-video path it replaced: every section's
// latents decoded again from the final history, soft-appended onto the whole float video and
// converted to rgb24, must equal what the pixel store assembles from its held frames and chunk
// files, bit for bit. And the overlapped loop (decode while the next section samples) must give the
// serial loop's latents, frames and event order.
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBundle } from '../../models/bundle/load-bundle.js';
import { runImageProjection } from '../../models/transformer/run-transformer.js';
import { softAppend, videoToRgbFrames, type PixelVideo } from '../../media/pixels.js';
import { SeededNoise } from '../seeded-noise.js';
import { planJob, type SectionMode } from '../section-plan.js';
import { computeConditioning } from './conditioning.js';
import type { PipelineEvent } from './events.js';
import { resolveJobSpec } from './job-spec.js';
import { framesToTensor, scaled } from './latent-frames.js';
import { REPO_MODELS_DIR } from './model-location.js';
import type { PixelStore } from './pixel-store.js';
import { decodeLatents, runSections } from './section-loop.js';
import { openSessions } from './sessions.js';
import { fileTempDir } from '../../../test/helpers/temp-dir.js';

const bundle = await loadBundle(path.join(REPO_MODELS_DIR, 'framepack-tiny'), { verify: 'none' });
const sessions = await openSessions(bundle);
const manifest = bundle.manifest;
const g = { channels: manifest.latent.channels, height: 8, width: 12 };
const image = { width: 96, height: 64, rgb: Uint8Array.from({ length: 96 * 64 * 3 }, (_, i) => (i * 11) % 253) };
const conditioning = await computeConditioning(sessions, manifest, image, { prompt: 'a ball rolls', negativePrompt: '', cfg: 1 });
const imageTokens = await runImageProjection(sessions.transformer, conditioning.imageEmbeddings);
const root = fileTempDir('fp-store-model-');

async function run(mode: SectionMode, sections: number, overlapDecode = false) {
  const seconds = (sections * 36) / 30;
  const spec = resolveJobSpec({ imagePath: 'x.png', prompt: 'a ball rolls', steps: 1, seconds, mode, seed: 11 }, manifest, 'framepack-tiny');
  const plan = planJob({ mode, seconds, latentHeight: g.height, latentWidth: g.width, latentWindowSize: spec.windowSize });
  expect(plan.sectionCount).toBe(sections);
  const events: PipelineEvent[] = [];
  const result = await runSections({
    sessions, manifest, spec, plan, geometry: g, conditioning, imageTokens, noise: SeededNoise.fromSeed(spec.seed),
    spoolDir: mkdtempSync(path.join(root, 'run-')), overlapDecode, onEvent: (e) => events.push(e),
  });
  return { result, plan, events };
}

async function bytesOf(store: PixelStore): Promise<Buffer> {
  const frames: Uint8Array[] = [];
  for await (const f of store.frames()) frames.push(f);
  return Buffer.concat(frames);
}

describe('pixel store on the default model', () => {
  it.each([['inverted', 1], ['inverted', 3], ['f1', 3]] as const)('%s, %i sections: the whole-video path\'s frames bit for bit', async (mode, count) => {
    const { result, plan } = await run(mode, count);
    const all = result.latents;
    let video: PixelVideo | null = null;
    for (const s of plan.sections) {
      // The history right after section s: inverted grows at the front, f1 at the back.
      const history = s.historyUpdate === 'prepend' ? all.slice(all.length - s.historyAfter) : all.slice(0, s.historyAfter);
      const t = framesToTensor(history.slice(s.decode.from, s.decode.to), g);
      const current = await decodeLatents(sessions, { data: scaled(t.data, 1 / manifest.latent.scalingFactor), dims: t.dims }, null);
      const d = s.decode;
      video = !video || d.overlapFrames === 0 ? current : d.newPixelsFirst ? softAppend(current, video, d.overlapFrames) : softAppend(video, current, d.overlapFrames);
    }
    const expected = Buffer.concat([...videoToRgbFrames(video!)]);
    expect(result.pixels.totalFrames).toBe(plan.totalFrames);
    expect((await bytesOf(result.pixels)).equals(expected)).toBe(true);
  }, 240_000);

  it('overlapped decode: the serial loop\'s latents, frames and event order', async () => {
    const serial = await run('inverted', 3, false);
    const overlapped = await run('inverted', 3, true);
    overlapped.result.latents.forEach((f, i) => expect(Buffer.from(f.buffer).equals(Buffer.from(serial.result.latents[i]!.buffer)), `latent ${i}`).toBe(true));
    expect((await bytesOf(overlapped.result.pixels)).equals(await bytesOf(serial.result.pixels))).toBe(true);
    const order = (events: PipelineEvent[]) => events.map((e) => `${e.type}${'section' in e ? ` ${e.section}` : ''}${e.type === 'stage' ? ` ${e.stage}` : ''}`);
    expect(order(overlapped.events)).toEqual(order(serial.events));
  }, 240_000);
});
