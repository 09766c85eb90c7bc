// The LoRA fixture trained by scripts/train/train_lora.py ("turn the video blue", Kohya/Musubi layout
// over HunyuanVideo names, alpha/rank = 0.5) acts on the default model through the whole pipeline:
// the transformer variant is built from the bundle's graphs, and the video's blue rises with the
// strength; strength 0 gives the plain video.
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadBundle } from '../models/bundle/load-bundle.js';
import type { PipelineEvent } from './pipeline/events.js';
import { resolveJobSpec } from './pipeline/job-spec.js';
import { REPO_MODELS_DIR } from './pipeline/model-location.js';
import { generateVideo } from './pipeline/pipeline.js';
import { fileTempDir } from '../../test/helpers/temp-dir.js';
import { blueness } from '../../test/helpers/blueness.js';

const REPO = path.resolve(import.meta.dirname, '../..');
export const BLUE_LORA = path.join(REPO, 'test/fixtures/lora/blue-kohya.safetensors');
const dir = fileTempDir('fp-lora-effect-');
process.env.FRAMEPACK_LORA_CACHE_DIR = path.join(dir, 'lora-cache');
const bundle = await loadBundle(path.join(REPO_MODELS_DIR, 'framepack-tiny'), { verify: 'none' });
const imagePath = path.join(REPO, 'docs/examples/start.png');

async function run(name: string, loras?: { path: string; strength: number }[]) {
  const spec = resolveJobSpec({ imagePath, prompt: 'a red circle moves to the right on a yellow background', seconds: 1, steps: 8, seed: 5, ...(loras ? { loras } : {}) }, bundle.manifest, 'framepack-tiny');
  const events: PipelineEvent[] = [];
  const out = await generateVideo(spec, { bundle, out: path.join(dir, `${name}.mp4`), partials: false, onEvent: (e) => events.push(e) });
  return { out, events, blue: await blueness(out) };
}

describe('the blue LoRA fixture on the default model', () => {
  it('turns the video blue, more with a higher strength; strength 0 leaves it as it was', async () => {
    const plain = await run('plain');
    const full = await run('full', [{ path: BLUE_LORA, strength: 1 }]);
    const half = await run('half', [{ path: BLUE_LORA, strength: 0.5 }]);
    const none = await run('zero', [{ path: BLUE_LORA, strength: 0 }]);
    expect(full.blue - plain.blue, `blueness plain ${plain.blue}, 0.5 ${half.blue}, 1 ${full.blue}`).toBeGreaterThan(40);
    expect(half.blue).toBeGreaterThan(plain.blue + 10);
    expect(half.blue).toBeLessThan(full.blue - 10);
    expect(Math.abs(none.blue - plain.blue)).toBeLessThan(1);
    expect(full.events.some((e) => e.type === 'stage' && /built the transformer variant with 1 LoRA/.test(e.message))).toBe(true);
    const sidecar = JSON.parse(await readFile(full.out.replace(/\.mp4$/, '.json'), 'utf8'));
    expect(sidecar.parameters.loras).toEqual([{ file: 'blue-kohya.safetensors', strength: 1 }]);
    expect(JSON.parse(await readFile(plain.out.replace(/\.mp4$/, '.json'), 'utf8')).parameters.loras).toBeUndefined();
  }, 600_000);
});
