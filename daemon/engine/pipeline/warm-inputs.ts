// What a warm daemon keeps between jobs so a job with inputs it has seen starts at once: the
// decoded start image by content (sha256 of the file bytes, so the submit-time check and the job's
// own copy share one decode, and a changed file is a new key), and the conditioning (text, image
// and start-frame encodings and the image projection) by everything it is computed from. The
// encoders are deterministic, so a hit is bit-identical to recomputing. Small LRUs: the official
// model's conditioning is ≈ 8 MB an entry.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { loadInputImage, type LoadedImage } from '../../media/image-input.js';
import type { RgbImage } from '../../media/pixels.js';
import type { F32 } from '../../models/transformer/run-transformer.js';
import type { JobConditioning } from './conditioning.js';

export interface WarmConditioning {
  conditioning: JobConditioning;
  imageTokens: F32;
}

export interface WarmInputStats {
  imageDecodes: number;
  imageHits: number;
  /** Resize-and-crops to the bucket computed / reused. */
  bucketResizes: number;
  bucketHits: number;
  conditioningRuns: number;
  conditioningHits: number;
}

/** Inputs bigger than this (decoded bytes) are not kept. */
const MAX_KEPT_IMAGE_BYTES = 64 << 20;

class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) { this.map.delete(key); this.map.set(key, v); }
    return v;
  }
  set(key: string, v: V): void {
    this.map.delete(key);
    this.map.set(key, v);
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }
}

const copyF32 = (x: F32): F32 => ({ data: x.data.slice(), dims: [...x.dims] });
const copyPrompt = (p: JobConditioning['positive']) => ({ llama: copyF32(p.llama), pooled: copyF32(p.pooled), tokens: p.tokens });
/** Callers get their own arrays: nothing they do can change a kept entry. */
function copyWarm(w: WarmConditioning): WarmConditioning {
  const c = w.conditioning;
  return {
    conditioning: { positive: copyPrompt(c.positive), negative: copyPrompt(c.negative), imageEmbeddings: copyF32(c.imageEmbeddings), startLatent: copyF32(c.startLatent) },
    imageTokens: copyF32(w.imageTokens),
  };
}

export class WarmInputs {
  private readonly images: Lru<LoadedImage>;
  private readonly conditionings: Lru<WarmConditioning>;
  private readonly buckets: Lru<RgbImage>;
  private readonly counts: WarmInputStats = { imageDecodes: 0, imageHits: 0, bucketResizes: 0, bucketHits: 0, conditioningRuns: 0, conditioningHits: 0 };

  constructor(opts: { images?: number; conditionings?: number } = {}) {
    this.images = new Lru(opts.images ?? 4);
    this.conditionings = new Lru(opts.conditionings ?? 4);
    this.buckets = new Lru(opts.images ?? 4);
  }

  /** The decoded image of `filePath` and its content key; decodes only bytes not seen before. */
  async image(filePath: string): Promise<{ key: string; image: LoadedImage }> {
    let key: string;
    try {
      key = createHash('sha256').update(await readFile(filePath)).digest('hex');
    } catch {
      // Unreadable: the decoder names the problem.
      this.counts.imageDecodes++;
      return { key: '', image: await loadInputImage(filePath) };
    }
    const kept = this.images.get(key);
    if (kept) { this.counts.imageHits++; return { key, image: kept }; }
    this.counts.imageDecodes++;
    const image = await loadInputImage(filePath);
    if (image.rgb.byteLength <= MAX_KEPT_IMAGE_BYTES) this.images.set(key, image);
    return { key, image };
  }

  /** The image `imageKey` resized and cropped as `plan` says (computed by `compute` on a miss). */
  async bucketed(imageKey: string, plan: unknown, compute: () => Promise<RgbImage>): Promise<RgbImage> {
    const key = JSON.stringify([imageKey, plan]);
    const kept = imageKey ? this.buckets.get(key) : undefined;
    if (kept) { this.counts.bucketHits++; return { ...kept, rgb: kept.rgb.slice() }; }
    this.counts.bucketResizes++;
    const fresh = await compute();
    if (imageKey && fresh.rgb.byteLength <= MAX_KEPT_IMAGE_BYTES) this.buckets.set(key, { ...fresh, rgb: fresh.rgb.slice() });
    return fresh;
  }

  /** The job's conditioning for `key` (computed by `compute` on a miss); a copy either way. */
  async conditioning(key: string, compute: () => Promise<WarmConditioning>): Promise<WarmConditioning> {
    const kept = this.conditionings.get(key);
    if (kept) { this.counts.conditioningHits++; return copyWarm(kept); }
    this.counts.conditioningRuns++;
    const fresh = await compute();
    this.conditionings.set(key, copyWarm(fresh));
    return fresh;
  }

  get stats(): WarmInputStats {
    return { ...this.counts };
  }
}

/** Everything the conditioning depends on besides the bundle's weights. */
export function conditioningKey(p: { model: string; imageKey: string; bucket: { width: number; height: number }; encodeTiling: unknown; prompt: string; negativePrompt: string; cfg: number; loras?: readonly { path: string; strength: number }[] }): string {
  // The image tokens come from the transformer's image projection, which a LoRA may patch.
  const loras = (p.loras ?? []).map((l) => [l.path, l.strength]);
  return JSON.stringify([p.model, p.imageKey, p.bucket.width, p.bucket.height, p.encodeTiling ?? null, p.prompt, p.cfg === 1 ? '' : p.negativePrompt, p.cfg === 1, loras]);
}
