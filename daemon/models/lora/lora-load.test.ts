import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tinyTransformerConfig } from '../transformer/config.js';
import { MemoryWeights } from '../../weights/weight-source.js';
import { writeSafetensors } from '../../weights/safetensors.js';
import { fromFloat32 } from '../../weights/float-convert.js';
import { combineLoras, loadLoraFile, loadLoraSource, LoraError, type LoraFactors } from './lora-load.js';
import { loraTargets } from './lora-targets.js';
import { classifyKey } from './lora-keys.js';

const cat = loraTargets(tinyTransformerConfig);
const H = 64; // tiny hidden size
const MLP = 256;
const R = 4;
const ramp = (n: number, k = 1) => Float32Array.from({ length: n }, (_, i) => (i + 1) * 0.01 * k);

/** A LoRA in memory: module → [down [r, in], up [out, r], alpha?]. */
function lora(mods: Record<string, { inF: number; outF: number; alpha?: number; rank?: number }>, down = '.lora_A.weight', up = '.lora_B.weight'): MemoryWeights {
  const w = new MemoryWeights();
  for (const [name, m] of Object.entries(mods)) {
    const r = m.rank ?? R;
    w.setFloat32(`${name}${down}`, [r, m.inF], ramp(r * m.inF));
    w.setFloat32(`${name}${up}`, [m.outF, r], ramp(m.outF * r, 2));
    if (m.alpha !== undefined) w.setFloat32(`${name}.alpha`, [], Float32Array.of(m.alpha));
  }
  return w;
}

/** Full delta B·A [out, in] of one factor pair. */
function delta(f: LoraFactors): Float32Array {
  const inF = f.a.length / f.rank;
  const outF = f.b.length / f.rank;
  const d = new Float32Array(outF * inF);
  for (let o = 0; o < outF; o++) for (let i = 0; i < inF; i++) {
    let s = 0;
    for (let r = 0; r < f.rank; r++) s += f.b[o * f.rank + r]! * f.a[r * inF + i]!;
    d[o * inF + i] = s;
  }
  return d;
}

describe('loraTargets', () => {
  it('lists our Linears and the original and Kohya names of each', () => {
    expect(cat.linears.get('transformer_blocks.0.attn.to_q')).toEqual({ name: 'transformer_blocks.0.attn.to_q', inF: H, outF: H });
    expect(cat.linears.get('single_transformer_blocks.1.proj_out')).toEqual({ name: 'single_transformer_blocks.1.proj_out', inF: H + MLP, outF: H });
    expect(cat.modules.get('single_blocks.0.linear1')!.outF).toBe(3 * H + MLP);
    expect(cat.kohya.get('lora_unet_double_blocks_1_img_attn_qkv')).toBe('double_blocks.1.img_attn_qkv');
    expect(cat.kohya.get('lora_unet_transformer_blocks_0_attn_to_out_0')).toBe('transformer_blocks.0.attn.to_out.0');
    expect(classifyKey('lora_transformer_single_blocks_0_linear2.lora_up.weight', cat)).toEqual({ module: 'single_blocks.0.linear2', role: 'up', layout: 'kohya' });
    expect(classifyKey('base_model.model.proj_out.lora_A.default.weight', cat)).toEqual({ module: 'proj_out', role: 'down', layout: 'diffusers' });
    expect(classifyKey('transformer.x_embedder.proj.lora_A.weight', cat)).toBe('unknown-module');
    // Convolutions are not Linear targets.
    expect(cat.linears.has('x_embedder.proj')).toBe(false);
  });
});

describe('loadLoraSource: the three layouts', () => {
  it('diffusers/PEFT names: B·A at strength, no alpha = scale 1', async () => {
    const w = lora({ 'transformer.transformer_blocks.0.attn.to_q': { inF: H, outF: H } });
    const l = await loadLoraSource('peft.safetensors', w, {}, 0.5, cat);
    expect(l.layout).toBe('diffusers/PEFT, FramePack/diffusers names');
    const f = l.factors.get('transformer_blocks.0.attn.to_q')![0]!;
    expect(f.rank).toBe(R);
    expect(f.a).toEqual(ramp(R * H));
    expect([...f.b]).toEqual([...ramp(H * R, 2)].map((v) => Math.fround(v * 0.5)));
  });

  it('Kohya/Musubi: alpha/rank scaling times strength', async () => {
    const w = lora({ lora_unet_single_transformer_blocks_1_proj_out: { inF: H + MLP, outF: H, alpha: 2 } }, '.lora_down.weight', '.lora_up.weight');
    const l = await loadLoraSource('kohya.safetensors', w, {}, 3, cat);
    expect(l.layout).toBe('Kohya/Musubi, FramePack/diffusers names');
    const f = l.factors.get('single_transformer_blocks.1.proj_out')![0]!;
    const scale = (2 / R) * 3;
    expect(f.b[5]).toBeCloseTo(ramp(H * R, 2)[5]! * scale, 6);
  });

  it('HunyuanVideo names: fused q/k/v and linear1 split by rows, A shared', async () => {
    const w = lora({
      'diffusion_model.double_blocks.0.img_attn_qkv': { inF: H, outF: 3 * H },
      'diffusion_model.single_blocks.1.linear1': { inF: H, outF: 3 * H + MLP },
    });
    const l = await loadLoraSource('hy.safetensors', w, {}, 1, cat);
    expect(l.layout).toBe('diffusers/PEFT, HunyuanVideo names');
    const up = ramp(3 * H * R, 2);
    const k = l.factors.get('transformer_blocks.0.attn.to_k')![0]!;
    expect(k.a).toEqual(ramp(R * H));
    expect([...k.b]).toEqual([...up.subarray(H * R, 2 * H * R)]);
    const up1 = ramp((3 * H + MLP) * R, 2);
    expect([...l.factors.get('single_transformer_blocks.1.proj_mlp')![0]!.b]).toEqual([...up1.subarray(3 * H * R)]);
    expect([...l.factors.get('single_transformer_blocks.1.attn.to_v')![0]!.b]).toEqual([...up1.subarray(2 * H * R, 3 * H * R)]);
    expect(l.modules).toBe(2);
  });

  it('Kohya over HunyuanVideo names; final_layer.adaLN_modulation.1 has its (shift, scale) halves swapped', async () => {
    const w = lora({ lora_unet_final_layer_adaLN_modulation_1: { inF: H, outF: 2 * H, alpha: R } }, '.lora_down.weight', '.lora_up.weight');
    const l = await loadLoraSource('k.safetensors', w, {}, 1, cat);
    expect(l.layout).toBe('Kohya/Musubi, HunyuanVideo names');
    const f = l.factors.get('norm_out.linear')![0]!;
    const up = ramp(2 * H * R, 2);
    expect([...f.b.subarray(0, H * R)]).toEqual([...up.subarray(H * R)]); // our scale = their second half
    expect([...f.b.subarray(H * R)]).toEqual([...up.subarray(0, H * R)]);
  });

  it('reads fp16 tensors from a real file, the same as float32', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'lora-load-'));
    try {
      const file = path.join(dir, 'half.safetensors');
      const a = ramp(R * H);
      const b = ramp(H * R, 2);
      await writeSafetensors(file, [
        { name: 'lora_unet_double_blocks_0_img_attn_proj.lora_down.weight', dtype: 'float16', shape: [R, H], read: () => fromFloat32(a, 'float16') },
        { name: 'lora_unet_double_blocks_0_img_attn_proj.lora_up.weight', dtype: 'float16', shape: [H, R], read: () => fromFloat32(b, 'float16') },
        { name: 'lora_unet_double_blocks_0_img_attn_proj.alpha', dtype: 'float32', shape: [], read: () => new Uint8Array(Float32Array.of(8).buffer) },
      ]);
      const l = await loadLoraFile(file, 1, cat);
      const f = l.factors.get('transformer_blocks.0.attn.to_out.0')![0]!;
      expect(f.b[7]).toBeCloseTo(b[7]! * 2, 2);
      expect(f.a[3]).toBeCloseTo(a[3]!, 3);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('loadLoraSource: refusals name what is wrong', () => {
  const problem = async (w: MemoryWeights, metadata: Record<string, string> = {}): Promise<LoraError> => {
    const err = await loadLoraSource('x.safetensors', w, metadata, 1, cat).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(LoraError);
    return err as LoraError;
  };

  it('a tensor naming no layer', async () => {
    const w = lora({ 'transformer.transformer_blocks.0.attn.to_q': { inF: H, outF: H }, 'transformer.transformer_blocks.9.attn.to_q': { inF: H, outF: H } });
    const e = await problem(w);
    expect(e.message).toContain("'transformer.transformer_blocks.9.attn.to_q.lora_A.weight' names no layer of this transformer");
    expect(e.message).not.toContain('blocks.0');
  });

  it('a mis-shaped tensor, with the shape expected', async () => {
    const w = lora({ lora_unet_double_blocks_0_img_attn_qkv: { inF: 3072, outF: 9216 } }, '.lora_down.weight', '.lora_up.weight');
    const e = await problem(w);
    expect(e.message).toContain("'lora_unet_double_blocks_0_img_attn_qkv.lora_down.weight' has shape [4, 3072], expected [rank, 64]");
  });

  it('a down matrix without its up', async () => {
    const w = new MemoryWeights();
    w.setFloat32('transformer.proj_out.lora_A.weight', [R, H], ramp(R * H));
    expect((await problem(w)).message).toContain("module 'proj_out' has a down (A) matrix but no up (B)");
  });

  it('a Stable Diffusion LoRA is not for this model', async () => {
    const w = lora({ lora_unet_down_blocks_0_attentions_0_proj_in: { inF: 320, outF: 320 } }, '.lora_down.weight', '.lora_up.weight');
    const e = await problem(w);
    expect(e.problem).toContain('not a LoRA for this model');
    expect(e.problem).toContain('Stable Diffusion');
  });

  it('a Wan LoRA is not for this model', async () => {
    const w = lora({ 'diffusion_model.blocks.0.self_attn.q': { inF: 1536, outF: 1536 } });
    expect((await problem(w)).problem).toContain('Wan');
  });

  it('metadata naming another model refuses even when the names would fit (Flux shares double_blocks)', async () => {
    const w = lora({ lora_unet_double_blocks_0_img_attn_proj: { inF: H, outF: H } }, '.lora_down.weight', '.lora_up.weight');
    expect((await problem(w, { 'modelspec.architecture': 'flux-1-dev/lora' })).problem).toContain('for another model: Flux');
  });
});

describe('combineLoras', () => {
  it('stacks several LoRAs on one Linear along the rank: the delta is the sum', async () => {
    const one = await loadLoraSource('a', lora({ 'transformer.proj_out': { inF: H, outF: 64 } }), {}, 1, cat);
    const two = await loadLoraSource('b', lora({ lora_unet_final_layer_linear: { inF: H, outF: 64, alpha: 1, rank: 2 } }, '.lora_down.weight', '.lora_up.weight'), {}, -0.5, cat);
    const both = combineLoras([one, two]).get('proj_out')!;
    expect(both.rank).toBe(R + 2);
    const want = delta(one.factors.get('proj_out')![0]!).map((v, i) => v + delta(two.factors.get('proj_out')![0]!)[i]!);
    const got = delta(both);
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-6 * (1 + Math.abs(want[i]!)));
  });
});
