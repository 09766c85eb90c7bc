// Activation-memory estimates per component at a bundle's default bucket, for the manifest's
// estimatedResidentBytes (weights + activations). These are order-of-magnitude figures for the
// residency scheduler, documented in docs/bundles.md; they read the architecture configs by the
// definitions' (camelCase) key names and fall back to a quarter of the weight bytes when a
// config does not say enough.
import type { ModelComponentId } from './manifest.js';
import type { ResolvedBundleConfig } from './bundle-config.js';
import type { AttentionForm } from '../../onnx/graph.js';

const bytesOf = (dtype: 'float32' | 'float16') => (dtype === 'float32' ? 4 : 2);
/** Template tokens before the user prompt (95 with the official tokenizer), rounded up. */
export const TEMPLATE_TOKENS_ESTIMATE = 128;

const n = (c: unknown, ...keys: string[]): number | undefined => {
  for (const k of keys) {
    const v = (c as Record<string, unknown> | null)?.[k];
    if (typeof v === 'number') return v;
  }
  return undefined;
};

/**
 * Peak of one attention block over `tokens`: the score matrix and its softmax (2·heads·S², only
 * when the attention is written out: the fused MultiHeadAttention keeps no scores without a mask),
 * the MLP hidden activations (2·S·mlp), and ~8 hidden-sized buffers (residual, norms, q/k/v, output).
 */
export function blockActivationElements(tokens: number, hidden: number, heads: number, mlp: number, attention: AttentionForm = 'explicit'): number {
  const scores = attention === 'explicit' ? 2 * heads * tokens * tokens : 0;
  return scores + 2 * tokens * mlp + 8 * tokens * hidden;
}

/** Image-side tokens of one transformer call at a bucket: noisy + 1×/2×/4× context (FRAMEPACK.md §5.2). */
export function transformerImageTokens(r: ResolvedBundleConfig, height: number, width: number): number {
  const h = height / r.latent.spatialCompression;
  const w = width / r.latent.spatialCompression;
  const [pt, ph, pw] = r.patchSize;
  const noisy = Math.ceil(r.defaults.windowSize / pt) * Math.ceil(h / ph) * Math.ceil(w / pw);
  // Context frames per kernel: 2 clean (1×), 2 at 2×, 16 at 4×, in both variants.
  const frames = [2, 2, 16];
  const context = r.contextKernels.reduce((sum, [kt, kh, kw], i) => sum + Math.ceil(frames[i]! / kt) * Math.ceil(h / kh) * Math.ceil(w / kw), 0);
  return noisy + context;
}

export function estimateActivationBytes(id: ModelComponentId, config: unknown, r: ResolvedBundleConfig, weightBytes: number, dtype: 'float32' | 'float16',
  attention: AttentionForm = 'explicit'): number {
  const b = bytesOf(dtype);
  const { height, width } = r.defaultBucket;
  const fallback = Math.ceil(weightBytes / 4);
  switch (id) {
    case 'transformer': {
      const heads = n(config, 'numAttentionHeads');
      const headDim = n(config, 'attentionHeadDim');
      const ratio = n(config, 'mlpRatio') ?? 4;
      if (!heads || !headDim) return fallback;
      const hidden = heads * headDim;
      const imageTokens = (r.imageEncoder.imageSize / (n(r.components.image_encoder, 'patchSize') ?? 14)) ** 2;
      const tokens = transformerImageTokens(r, height, width) + Math.floor(imageTokens) + r.text.maxUserTokens;
      return b * blockActivationElements(tokens, hidden, heads, hidden * ratio, attention);
    }
    case 'vae': {
      const channels = (config as { blockOutChannels?: number[] } | null)?.blockOutChannels;
      if (!channels?.length) return fallback;
      // Decoding one section: the last up block holds ~3 full-resolution maps of its width; the
      // mid-block attention spans every latent cell of the window (in both forms: the fused one takes
      // the frame-causal mask as an S×S bias, and the CPU kernel holds probabilities beside it).
      const frames = r.latent.temporalCompression * (r.defaults.windowSize - 1) + 1;
      const conv = 3 * channels[0]! * frames * height * width;
      const cells = r.defaults.windowSize * (height / r.latent.spatialCompression) * (width / r.latent.spatialCompression);
      const attention = (config as { midBlockAddAttention?: boolean }).midBlockAddAttention === false ? 0 : 2 * cells * cells;
      return b * Math.max(conv, attention);
    }
    case 'text_encoder':
    case 'text_encoder_2':
    case 'image_encoder': {
      const hidden = n(config, 'hiddenSize');
      const heads = n(config, 'numHeads', 'numAttentionHeads');
      if (!hidden || !heads) return fallback;
      const mlp = n(config, 'intermediateSize') ?? 4 * hidden;
      let tokens: number;
      if (id === 'text_encoder') tokens = TEMPLATE_TOKENS_ESTIMATE + r.text.maxUserTokens;
      else if (id === 'text_encoder_2') tokens = r.text.clipMaxLength;
      else tokens = Math.floor(r.imageEncoder.imageSize / (n(config, 'patchSize') ?? 14)) ** 2;
      // Llama's and CLIP's causal masks are [L, L] biases in the fused form: small at these lengths.
      return b * blockActivationElements(tokens, hidden, heads, mlp, attention);
    }
  }
}
