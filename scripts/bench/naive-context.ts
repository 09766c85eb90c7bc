// The naive baseline FramePack's O(1) claim is measured against: each section is conditioned on
// ALL history latents at full resolution as 1× clean context (no 2×/4× compression), so the
// transformer's sequence, and attention's cost, grows with the video. Generation runs forward in
// time (the start latent is history frame 0, sections append), with the job's real sampler,
// guidance, seeded noise and σ schedule, and RoPE tables from packedRope with the real time
// indices (clean = 0…H−1, window = H…H+ws−1). No VAE decode: only the part that depends on the
// context is timed. TeaCache is off so every step runs the blocks.
//
// The context graph needs at least one frame per level, so it gets one zero frame at 2× and 4×
// and only its clean tokens (the tail of [4×, 2×, clean]; each level is an independent conv) are
// kept.
import type { Manifest } from '../../daemon/models/bundle/manifest.js';
import { ropeFor, runBlocks, runContext, runPost, runPre, type F32 } from '../../daemon/models/transformer/run-transformer.js';
import type { JobConditioning } from '../../daemon/engine/pipeline/conditioning.js';
import type { JobSpec } from '../../daemon/engine/pipeline/job-spec.js';
import { framesToTensor, tensorToFrames, type LatentGeometry } from '../../daemon/engine/pipeline/latent-frames.js';
import { makeSampler, samplerSchedule, x0FromFor } from '../../daemon/engine/pipeline/sampling.js';
import type { PipelineSessions } from '../../daemon/engine/pipeline/sessions.js';
import { makeDenoiser, type VelocityModel } from '../../daemon/engine/samplers/guidance.js';
import type { SeededNoise } from '../../daemon/engine/seeded-noise.js';

export interface NaiveSectionResult {
  /** History latents before the section (all of them are the context). */
  historyLatents: number;
  /** Image-side tokens per transformer call: (H + ws)·(h/2)(w/2). */
  imageSideTokens: number;
  /** Joint attention length: image side + image-projection tokens + text tokens. */
  attentionTokens: number;
  /** Context graph + every sampling step, ms. */
  samplingMs: number;
}

export interface NaiveRunnerInput {
  sessions: PipelineSessions;
  manifest: Manifest;
  spec: JobSpec;
  geometry: LatentGeometry;
  conditioning: JobConditioning;
  imageTokens: F32;
  noise: SeededNoise;
}

const range = (from: number, length: number) => Array.from({ length }, (_, i) => from + i);

export class NaiveContextRunner {
  /** The real latent history in time order; frame 0 is the start latent. */
  readonly history: Float32Array[];
  private readonly grid: number;

  constructor(private readonly input: NaiveRunnerInput) {
    this.history = [tensorToFrames(input.conditioning.startLatent)[0]!];
    this.grid = (input.geometry.height / 2) * (input.geometry.width / 2);
  }

  /** Attention length of the next section's calls (for memory prediction before running it). */
  nextAttentionTokens(): number {
    const { spec, conditioning, imageTokens } = this.input;
    return (this.history.length + spec.windowSize) * this.grid + imageTokens.dims[1]! + conditioning.positive.tokens;
  }

  async runSection(): Promise<NaiveSectionResult> {
    const { sessions: s, spec, geometry: g, conditioning: cond, imageTokens, noise } = this.input;
    const ws = spec.windowSize;
    const historyLatents = this.history.length;
    const attentionTokens = this.nextAttentionTokens();
    const started = performance.now();

    const zero = { data: new Float32Array(g.channels * g.height * g.width), dims: [1, g.channels, 1, g.height, g.width] };
    const all = await runContext(s.transformer, { clean: framesToTensor(this.history, g), clean2x: zero, clean4x: zero });
    const hidden = all.dims[2]!;
    const cleanTokens = historyLatents * this.grid;
    const contextTokens: F32 = { data: all.data.slice(all.data.length - cleanTokens * hidden), dims: [1, cleanTokens, hidden] };
    const rope = ropeFor(s.transformerConfig, { clean: range(0, historyLatents), clean2x: [], clean4x: [], latent: range(historyLatents, ws) }, g.height, g.width);

    const velocity: VelocityModel = async (x, _sigma, call) => {
      const text = call.branch === 'positive' ? cond.positive : cond.negative;
      const pre = await runPre(s.transformer, s.transformerConfig, {
        latents: { data: x, dims: [1, g.channels, ws, g.height, g.width] },
        timestep: call.timestep, guidance: call.guidance,
        textEmbeddings: text.llama, pooledProjections: text.pooled, imageTokens, contextTokens,
      });
      const out = await runBlocks(s.transformer, pre, rope);
      return (await runPost(s.transformer, out, pre.temb, [ws, g.height, g.width])).data;
    };
    const schedule = samplerSchedule({ sampler: spec.sampler, steps: spec.steps, windowSize: ws, latentHeight: g.height, latentWidth: g.width, shift: spec.shift });
    const model = makeDenoiser(velocity, { distilledGuidance: spec.gs, cfg: spec.cfg, rescale: spec.rs, x0From: x0FromFor(spec.sampler) });
    const x = noise.sectionNoise({ channels: g.channels, frames: ws, height: g.height, width: g.width });
    const generated = await makeSampler(spec.sampler).sample({ x, sigmas: schedule.sigmas, model });
    this.history.push(...tensorToFrames({ data: generated, dims: [1, g.channels, ws, g.height, g.width] }));
    return { historyLatents, imageSideTokens: (historyLatents + ws) * this.grid, attentionTokens, samplingMs: performance.now() - started };
  }
}
