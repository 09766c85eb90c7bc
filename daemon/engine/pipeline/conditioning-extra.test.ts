// Directing's extra inputs (timestamped prompts, end and keyframe images) are encoded in the same
// encoder pass as the job's own: under the encoders-released plan each encoder is still acquired
// once, and every distinct prompt runs through LLaMA and CLIP exactly once.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type ort from 'onnxruntime-node';
import { loadBundle } from '../../models/bundle/load-bundle.js';
import { computeConditioning, encodeImage, encodePrompt, encodeStartLatent, type ConditioningComponent } from './conditioning.js';
import { REPO_MODELS_DIR } from './model-location.js';
import { openSessions, type PipelineSessions } from './sessions.js';

const bundle = await loadBundle(path.join(REPO_MODELS_DIR, 'framepack-tiny'), { verify: 'none' });
const sessions = await openSessions(bundle);
afterAll(() => sessions.release());
const img = (k: number) => ({ width: 96, height: 64, rgb: Uint8Array.from({ length: 96 * 64 * 3 }, (_, i) => (i * k) % 251) });
const extra = { prompts: ['a blue square moves up', 'a green triangle shrinks'], latentImages: [img(11), img(13)], embeddingImages: [img(11)] };

/** Counts run() calls per session. */
function counting(runs: Record<string, number>): PipelineSessions {
  const wrap = (name: string, s: ort.InferenceSession) => new Proxy(s, {
    get(t, k) {
      if (k === 'run') return (...a: Parameters<ort.InferenceSession['run']>) => { runs[name] = (runs[name] ?? 0) + 1; return t.run(...a); };
      return Reflect.get(t, k, t);
    },
  });
  return { ...sessions, textEncoder: wrap('llama', sessions.textEncoder), textEncoder2: wrap('clip', sessions.textEncoder2), imageEncoder: wrap('siglip', sessions.imageEncoder), vaeEncoder: wrap('vae', sessions.vaeEncoder) };
}

describe('computeConditioning with extra directing inputs', () => {
  it('encodes each extra prompt and image once, inside each encoder’s single acquire/release', async () => {
    const runs: Record<string, number> = {};
    const calls: string[] = [];
    const c = await computeConditioning(counting(runs), bundle.manifest, img(7), {
      prompt: 'a red circle moves to the right', negativePrompt: '', cfg: 1, extra,
      residency: { acquire: async (x: ConditioningComponent) => { calls.push(`+${x}`); }, release: async (x) => { calls.push(`-${x}`); } },
    });
    expect(calls).toEqual(['+text-encoder', '-text-encoder', '+text-encoder-2', '-text-encoder-2', '+image-encoder', '-image-encoder', '+vae']);
    // 1 + 2 prompts (cfg = 1: no negative), 1 + 1 SigLIP images, 1 + 2 VAE images.
    expect(runs).toEqual({ llama: 3, clip: 3, siglip: 2, vae: 3 });
    const e = c.extra!;
    expect(e.prompts[1]).toEqual(await encodePrompt(sessions, bundle.manifest, extra.prompts[1]!));
    expect(e.latents[1]).toEqual(await encodeStartLatent(sessions, bundle.manifest, extra.latentImages[1]!));
    expect(e.embeddings[0]).toEqual(await encodeImage(sessions, bundle.manifest, extra.embeddingImages[0]!));
    // The all-resident path gives the same tensors.
    const resident = await computeConditioning(sessions, bundle.manifest, img(7), { prompt: 'a red circle moves to the right', negativePrompt: '', cfg: 1, extra });
    expect(resident.extra).toEqual(e);
  });
});
