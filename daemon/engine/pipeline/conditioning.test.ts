// Conditioning under the encoders-released memory plan: the same tensors as with every session
// open, with each encoder used only between its acquire and its release, one encoder at a time.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBundle } from '../../models/bundle/load-bundle.js';
import { computeConditioning, type ConditioningComponent } from './conditioning.js';
import { REPO_MODELS_DIR } from './model-location.js';
import { openSessions, type PipelineSessions } from './sessions.js';

const bundle = await loadBundle(path.join(REPO_MODELS_DIR, 'framepack-tiny'), { verify: 'none' });
const sessions = await openSessions(bundle);
afterAll(() => sessions.release());
const image = { width: 96, height: 64, rgb: Uint8Array.from({ length: 96 * 64 * 3 }, (_, i) => (i * 7) % 251) };
const opts = { prompt: 'a red ball bounces', negativePrompt: 'blurry', cfg: 2 };

/** Sessions whose encoder fields throw unless their component is held (the engine's lookups do the same). */
function guarded(held: Set<ConditioningComponent>): PipelineSessions {
  const need = <T>(c: ConditioningComponent, v: T): T => {
    if (!held.has(c)) throw new Error(`${c} used while not held`);
    return v;
  };
  return {
    ...sessions,
    get textEncoder() { return need('text-encoder', sessions.textEncoder); },
    get tokenizer() { return need('text-encoder', sessions.tokenizer); },
    get textEncoder2() { return need('text-encoder-2', sessions.textEncoder2); },
    get tokenizer2() { return need('text-encoder-2', sessions.tokenizer2); },
    get imageEncoder() { return need('image-encoder', sessions.imageEncoder); },
    get vaeEncoder() { return need('vae', sessions.vaeEncoder); },
  };
}

describe('computeConditioning with the encoders released', () => {
  it('loads each encoder once, one at a time, and gives the all-resident tensors', async () => {
    const held = new Set<ConditioningComponent>();
    const calls: string[] = [];
    let mostHeld = 0;
    const released = await computeConditioning(guarded(held), bundle.manifest, image, {
      ...opts,
      residency: {
        acquire: async (c) => { calls.push(`+${c}`); held.add(c); mostHeld = Math.max(mostHeld, [...held].filter((x) => x !== 'vae').length); },
        release: async (c) => { calls.push(`-${c}`); held.delete(c); },
      },
    });
    expect(calls).toEqual(['+text-encoder', '-text-encoder', '+text-encoder-2', '-text-encoder-2', '+image-encoder', '-image-encoder', '+vae']);
    expect(mostHeld).toBe(1);
    const resident = await computeConditioning(sessions, bundle.manifest, image, opts);
    for (const k of ['positive', 'negative'] as const) {
      expect(released[k].llama).toEqual(resident[k].llama);
      expect(released[k].pooled).toEqual(resident[k].pooled);
      expect(released[k].tokens).toBe(resident[k].tokens);
    }
    expect(released.imageEmbeddings).toEqual(resident.imageEmbeddings);
    expect(released.startLatent).toEqual(resident.startLatent);
    // The negative prompt was encoded (cfg > 1), not zeros.
    expect(released.negative.pooled.data.some((x) => x !== 0)).toBe(true);
  });
});
