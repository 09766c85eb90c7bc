// One full section of the official 5-second job, timed on one provider: image projection and
// context once, `steps` transformer calls through the step chain (distilled guidance, cfg 1: one
// call per step, TeaCache off, a plain Euler update so every step sees new latents), then the
// VAE decode of the section's latents with the official temporal tiling. The same graphs and
// chain the pipeline runs (section-loop.ts), without the image/text encoders and ffmpeg, which
// do not depend on the bucket; their per-graph times are in the graphs bench.
import path from 'node:path';
import { loadBundle } from '../../daemon/models/bundle/load-bundle.js';
import { openSessions } from '../../daemon/engine/pipeline/sessions.js';
import { runStepChain } from '../../daemon/engine/pipeline/step-chain.js';
import { ropeFor, runContext, runImageProjection, type F32 } from '../../daemon/models/transformer/run-transformer.js';
import { temporalTiledDecode, type Tensor5d } from '../../daemon/models/vae/temporal-tiling.js';
import { planJob } from '../../daemon/engine/section-plan.js';
import { siglipNumPatches, type SiglipConfig } from '../../daemon/models/image/siglip-config.js';
import { tensorF32 } from '../../daemon/onnx/run.js';
import { cheapValues } from './cheap-bundle.js';

export interface SectionTiming {
  provider: string;
  bundle: string;
  bucket: string;
  steps: number;
  imageSideTokens: number;
  /** openSessions: every graph of the bundle on this provider. */
  sessionLoadMs: number;
  stepMs: number[];
  medianStepMs: number;
  secondsPerStep: number;
  decodeMs: number;
  decodedFrames: number;
  sectionMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x * 100) / 100;

export async function timeSection(opts: { bundleDir: string; provider: 'cpu' | 'cuda' | 'webgpu'; bucket?: { height: number; width: number }; steps?: number; textTokens?: number; threads?: number }): Promise<SectionTiming> {
  const bundle = await loadBundle(path.resolve(opts.bundleDir), { verify: 'none' });
  const m = bundle.manifest;
  const bucket = opts.bucket ?? m.defaultBucket;
  const steps = opts.steps ?? m.defaults.steps;
  const t0 = performance.now();
  const s = await openSessions(bundle, { executionProvider: opts.provider, teacache: false, ...(opts.threads ? { threads: opts.threads } : {}) });
  const sessionLoadMs = performance.now() - t0;
  try {
    const c = s.transformerConfig;
    const h = bucket.height / m.latent.spatialCompression, w = bucket.width / m.latent.spatialCompression;
    const ws = m.defaults.windowSize;
    const section = planJob({ mode: m.variant, seconds: 5, latentHeight: h, latentWidth: w, latentWindowSize: ws }).sections[0]!;
    let salt = 1;
    const t = (dims: number[]): F32 => ({ data: cheapValues(dims.reduce((a, b) => a * b, 1), 0, 1, salt++), dims });
    const siglip = m.components.image_encoder.config as SiglipConfig;
    const started = performance.now();
    const imageTokens = await runImageProjection(s.transformer, t([1, siglipNumPatches(siglip), c.imageProjDim]));
    const contextTokens = await runContext(s.transformer, {
      clean: t([1, c.inChannels, section.indices.clean.length, h, w]), clean2x: t([1, c.inChannels, section.indices.clean2x.length, h, w]),
      clean4x: t([1, c.inChannels, section.indices.clean4x.length, h, w]),
    });
    const rope = ropeFor(c, section.indices, h, w);
    const text = { textEmbeddings: t([1, opts.textTokens ?? 64, c.textEmbedDim]), pooledProjections: t([1, c.pooledProjectionDim]) };
    const x = t([1, c.inChannels, ws, h, w]).data;
    const stepMs: number[] = [];
    for (let i = 0; i < steps; i++) {
      const st = performance.now();
      const sigma = 1 - i / steps;
      const v = await runStepChain(s.transformer, c, { latents: { data: x, dims: [1, c.inChannels, ws, h, w] }, timestep: sigma * 1000, guidance: m.defaults.gs * 1000, imageTokens, contextTokens, ...text }, rope, [ws, h, w], null);
      for (let k = 0; k < x.length; k++) x[k] = x[k]! - v.velocity[k]! / steps;
      stepMs.push(performance.now() - st);
    }
    // The section's decode: its latents (the first section also decodes the start latent).
    const latents = section.decode.to - section.decode.from;
    const dec = t([1, c.outChannels, latents, h, w]);
    const d0 = performance.now();
    const decoded = await temporalTiledDecode({ data: dec.data, dims: dec.dims as Tensor5d['dims'] }, async (tile) => {
      const out = (await s.vaeDecoder.run({ latents: tensorF32(tile.data, [...tile.dims]) })).pixels;
      if (!out || !(out.data instanceof Float32Array)) throw new Error('vae_decoder produced no float32 pixels');
      return { data: out.data, dims: out.dims as unknown as Tensor5d['dims'] };
    });
    const decodeMs = performance.now() - d0;
    return {
      provider: s.executionProvider, bundle: m.name, bucket: `${bucket.height}x${bucket.width}`, steps, imageSideTokens: rope.tokens,
      sessionLoadMs: round(sessionLoadMs), stepMs: stepMs.map(round), medianStepMs: round(median(stepMs)), secondsPerStep: round(median(stepMs) / 10) / 100,
      decodeMs: round(decodeMs), decodedFrames: decoded.dims[2], sectionMs: round(performance.now() - started),
    };
  } finally {
    await s.release();
  }
}
