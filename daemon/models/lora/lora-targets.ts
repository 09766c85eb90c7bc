// Which Linear layers of the packed transformer a LoRA may adapt, under every name users' files give
// them: our (diffusers) module names (`transformer_blocks.0.attn.to_q`), HunyuanVideo's original
// names (`double_blocks.0.img_attn_qkv`, fused q/k/v and single-block `linear1` split into their
// parts, `final_layer.adaLN_modulation.1` with its shift/scale halves swapped, as diffusers'
// _convert_hunyuan_video_lora_to_diffusers does), and the Kohya/Musubi flattening of either
// (`lora_unet_` + the name with dots as underscores). Pure: sizes come from the config.
import { transformerDims, type TransformerConfig } from '../transformer/config.js';
import { transformerParameterShapes } from '../transformer/params.js';

/** A Linear of our graphs: its checkpoint prefix (weight `${name}.weight`, [outF, inF]). */
export interface LinearTarget { name: string; inF: number; outF: number }

/**
 * Where rows of a source module's LoRA up-matrix (B, [outRows, r]) go: rows
 * [srcRow, srcRow + rows) become rows [dstRow, dstRow + rows) of `target`'s B.
 */
export interface RowPart { target: string; srcRow: number; dstRow: number; rows: number }

/** A module name a LoRA file may use, and how it lands on our Linears. */
export interface SourceModule {
  /** Name in dotted form (ours or HunyuanVideo's original). */
  name: string;
  inF: number;
  /** Rows of the source B (the fused size for qkv / linear1). */
  outF: number;
  parts: RowPart[];
  /** 'diffusers' = our names; 'hunyuan' = HunyuanVideo's original names. */
  naming: 'diffusers' | 'hunyuan';
}

export interface TargetCatalogue {
  linears: Map<string, LinearTarget>;
  /** Every accepted module name (dotted), ours and original. */
  modules: Map<string, SourceModule>;
  /** Kohya/Musubi flat names (`lora_unet_…`, underscores) → dotted module name. */
  kohya: Map<string, string>;
}

const whole = (t: LinearTarget): RowPart[] => [{ target: t.name, srcRow: 0, dstRow: 0, rows: t.outF }];

/** Consecutive row slices of a fused output, in order. */
function split(targets: LinearTarget[]): RowPart[] {
  let row = 0;
  return targets.map((t) => {
    const p = { target: t.name, srcRow: row, dstRow: 0, rows: t.outF };
    row += t.outF;
    return p;
  });
}

export function loraTargets(c: TransformerConfig): TargetCatalogue {
  const linears = new Map<string, LinearTarget>();
  for (const [name, shape] of transformerParameterShapes(c)) {
    // Linear weights are the 2-D ones; convolutions (patchifiers) and norms are not LoRA targets here.
    if (name.endsWith('.weight') && shape.length === 2) {
      const prefix = name.slice(0, -'.weight'.length);
      linears.set(prefix, { name: prefix, inF: shape[1]!, outF: shape[0]! });
    }
  }
  const modules = new Map<string, SourceModule>();
  for (const t of linears.values()) modules.set(t.name, { name: t.name, inF: t.inF, outF: t.outF, parts: whole(t), naming: 'diffusers' });

  const L = (n: string): LinearTarget => {
    const t = linears.get(n);
    if (!t) throw new Error(`internal: no Linear '${n}'`);
    return t;
  };
  const add = (name: string, targets: LinearTarget[], parts?: RowPart[]) => {
    const outF = targets.reduce((a, t) => a + t.outF, 0);
    modules.set(name, { name, inF: targets[0]!.inF, outF, parts: parts ?? split(targets), naming: 'hunyuan' });
  };
  const same = (orig: string, ours: string) => add(orig, [L(ours)]);

  for (let i = 0; i < c.numLayers; i++) {
    const o = `double_blocks.${i}`;
    const p = `transformer_blocks.${i}`;
    add(`${o}.img_attn_qkv`, [L(`${p}.attn.to_q`), L(`${p}.attn.to_k`), L(`${p}.attn.to_v`)]);
    add(`${o}.txt_attn_qkv`, [L(`${p}.attn.add_q_proj`), L(`${p}.attn.add_k_proj`), L(`${p}.attn.add_v_proj`)]);
    same(`${o}.img_attn_proj`, `${p}.attn.to_out.0`);
    same(`${o}.txt_attn_proj`, `${p}.attn.to_add_out`);
    same(`${o}.img_mod.linear`, `${p}.norm1.linear`);
    same(`${o}.txt_mod.linear`, `${p}.norm1_context.linear`);
    same(`${o}.img_mlp.fc1`, `${p}.ff.net.0.proj`);
    same(`${o}.img_mlp.fc2`, `${p}.ff.net.2`);
    same(`${o}.txt_mlp.fc1`, `${p}.ff_context.net.0.proj`);
    same(`${o}.txt_mlp.fc2`, `${p}.ff_context.net.2`);
  }
  for (let i = 0; i < c.numSingleLayers; i++) {
    const o = `single_blocks.${i}`;
    const p = `single_transformer_blocks.${i}`;
    add(`${o}.linear1`, [L(`${p}.attn.to_q`), L(`${p}.attn.to_k`), L(`${p}.attn.to_v`), L(`${p}.proj_mlp`)]);
    same(`${o}.linear2`, `${p}.proj_out`);
    same(`${o}.modulation.linear`, `${p}.norm.linear`);
  }
  for (let i = 0; i < c.numRefinerLayers; i++) {
    const o = `txt_in.individual_token_refiner.blocks.${i}`;
    const p = `context_embedder.token_refiner.refiner_blocks.${i}`;
    add(`${o}.self_attn_qkv`, [L(`${p}.attn.to_q`), L(`${p}.attn.to_k`), L(`${p}.attn.to_v`)]);
    same(`${o}.self_attn_proj`, `${p}.attn.to_out.0`);
    same(`${o}.mlp.fc1`, `${p}.ff.net.0.proj`);
    same(`${o}.mlp.fc2`, `${p}.ff.net.2`);
    same(`${o}.adaLN_modulation.1`, `${p}.norm_out.linear`);
  }
  same('txt_in.input_embedder', 'context_embedder.proj_in');
  same('txt_in.t_embedder.mlp.0', 'context_embedder.time_text_embed.timestep_embedder.linear_1');
  same('txt_in.t_embedder.mlp.2', 'context_embedder.time_text_embed.timestep_embedder.linear_2');
  same('txt_in.c_embedder.linear_1', 'context_embedder.time_text_embed.text_embedder.linear_1');
  same('txt_in.c_embedder.linear_2', 'context_embedder.time_text_embed.text_embedder.linear_2');
  same('time_in.mlp.0', 'time_text_embed.timestep_embedder.linear_1');
  same('time_in.mlp.2', 'time_text_embed.timestep_embedder.linear_2');
  if (c.guidanceEmbeds) {
    same('guidance_in.mlp.0', 'time_text_embed.guidance_embedder.linear_1');
    same('guidance_in.mlp.2', 'time_text_embed.guidance_embedder.linear_2');
  }
  same('vector_in.in_layer', 'time_text_embed.text_embedder.linear_1');
  same('vector_in.out_layer', 'time_text_embed.text_embedder.linear_2');
  same('final_layer.linear', 'proj_out');
  // The original final modulation chunks (shift, scale); ours (norm_out, AdaLayerNormContinuous) (scale, shift).
  const { hidden } = transformerDims(c);
  const normOut = L('norm_out.linear');
  add('final_layer.adaLN_modulation.1', [normOut], [
    { target: normOut.name, srcRow: 0, dstRow: hidden, rows: hidden },
    { target: normOut.name, srcRow: hidden, dstRow: 0, rows: hidden },
  ]);

  const kohya = new Map<string, string>();
  for (const name of modules.keys()) kohya.set(`lora_unet_${name.replace(/\./g, '_')}`, name);
  return { linears, modules, kohya };
}
