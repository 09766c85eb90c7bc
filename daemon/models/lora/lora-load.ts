// Loads LoRA files into low-rank factors on our Linears: per target, A [r, in] and B [out, r] with
// the file's alpha/rank and the user's strength folded into B, so the delta is W += B·A. Several
// LoRAs on one Linear stack along the rank axis (one branch, rank r1 + r2 + …). Any tensor that
// names no layer, or has the wrong shape, is a problem named in the error: a LoRA applied in part
// would give a silently different video. A LoRA whose metadata says it is for another model, or
// none of whose tensors names a layer of this transformer, is refused as such.
import { SafetensorsFile } from '../../weights/safetensors.js';
import { toFloat32 } from '../../weights/float-convert.js';
import type { WeightSource } from '../../weights/weight-source.js';
import { describeLayout, groupLoraKeys } from './lora-keys.js';
import type { TargetCatalogue } from './lora-targets.js';

/** Low-rank factors on one Linear: A row-major [rank, inF], B row-major [outF, rank]. */
export interface LoraFactors { rank: number; a: Float32Array; b: Float32Array }

export interface LoadedLora {
  file: string;
  strength: number;
  /** "Kohya/Musubi, HunyuanVideo names" and the like. */
  layout: string;
  /** Modules the file adapts. */
  modules: number;
  factors: Map<string, LoraFactors[]>;
  /**
   * Numbers the file's branches add to the transformer graphs once patched (lora-graph-patch.ts
   * stores A [in, r] and B [r, out] per adapted Linear): Σ r·(in + out). Known from the shapes
   * alone, so the memory plan counts it at submit without reading the matrices.
   */
  branchElements: number;
}

export class LoraError extends Error {
  override readonly name = 'LoraError';
  constructor(readonly file: string, readonly problem: string, readonly details: string[] = []) {
    super(`${file}: ${problem}${details.length ? `:\n  ${details.slice(0, 12).join('\n  ')}${details.length > 12 ? `\n  … and ${details.length - 12} more` : ''}` : ''}`);
  }
}

const OTHER_MODEL_HINTS: [RegExp, string][] = [
  [/flux/i, 'Flux'], [/\bwan/i, 'Wan'], [/sdxl|stable.?diffusion|\bsd[-_ ]?[0-9]/i, 'Stable Diffusion'], [/ltx/i, 'LTX-Video'], [/cogvideo/i, 'CogVideoX'],
];
const OTHER_KEY_HINTS: [RegExp, string][] = [
  [/lora_unet_(down|up|mid)_blocks|lora_te\d?_/, 'Stable Diffusion (UNet / text-encoder keys)'],
  [/(^|\.|_)blocks[._]\d+[._](self_attn|cross_attn)/, 'Wan (blocks.N.self_attn / cross_attn keys)'],
];

/** The model the file says it is for, when its metadata names one that is not HunyuanVideo/FramePack. */
function foreignModel(metadata: Record<string, string>): string | null {
  const said = [metadata['modelspec.architecture'], metadata['ss_base_model_version'], metadata['base_model']].filter(Boolean).join(' ');
  if (!said || /hunyuan|framepack/i.test(said)) return null;
  for (const [re, name] of OTHER_MODEL_HINTS) if (re.test(said)) return `${name} (its metadata says "${said}")`;
  return null;
}

function shapeText(s: number[]): string { return `[${s.join(', ')}]`; }

/**
 * Reads and checks one LoRA against the catalogue; throws LoraError naming every problem. With
 * `readData: false` only names, shapes and alphas are read (the submit-time check).
 */
export async function loadLoraSource(file: string, source: WeightSource, metadata: Record<string, string>, strength: number, cat: TargetCatalogue, readData = true): Promise<LoadedLora> {
  const names = source.names();
  const foreign = foreignModel(metadata);
  if (foreign) throw new LoraError(file, `this LoRA is for another model: ${foreign}; FramePack takes HunyuanVideo/FramePack LoRAs`);
  const grouped = groupLoraKeys(names, cat);
  if (grouped.modules.size === 0) {
    const hint = OTHER_KEY_HINTS.find(([re]) => names.some((n) => re.test(n)));
    throw new LoraError(file, `not a LoRA for this model: none of its ${names.length} tensors names a layer of the FramePack/HunyuanVideo transformer${hint ? ` (it looks like ${hint[1]})` : ''}`, names.slice(0, 5).map((n) => `'${n}'`));
  }
  const problems = grouped.unknown.map((n) => `'${n}' names no layer of this transformer`);
  const checked: { module: string; rank: number; a: Float32Array; up: Float32Array; scale: number }[] = [];
  for (const [name, keys] of grouped.modules) {
    const m = keys.module;
    if (!keys.down || !keys.up) {
      problems.push(`module '${name}' has ${keys.down ? 'a down (A) matrix but no up (B)' : keys.up ? 'an up (B) matrix but no down (A)' : 'only an alpha'}`);
      continue;
    }
    const down = source.info(keys.down)!;
    const up = source.info(keys.up)!;
    const rank = down.shape[0] ?? 0;
    let ok = true;
    if (down.shape.length !== 2 || down.shape[1] !== m.inF || rank < 1) {
      problems.push(`'${keys.down}' has shape ${shapeText(down.shape)}, expected [rank, ${m.inF}] (${name} takes ${m.inF} features)`);
      ok = false;
    }
    if (up.shape.length !== 2 || up.shape[0] !== m.outF || (ok && up.shape[1] !== rank)) {
      problems.push(`'${keys.up}' has shape ${shapeText(up.shape)}, expected [${m.outF}, ${ok ? rank : 'rank'}] (${name} gives ${m.outF} features)`);
      ok = false;
    }
    let scale = 1;
    if (keys.alpha) {
      const al = source.info(keys.alpha)!;
      if (al.shape.reduce((a, d) => a * d, 1) !== 1) { problems.push(`'${keys.alpha}' has shape ${shapeText(al.shape)}, expected one number`); ok = false; }
      else if (ok) {
        const raw = await source.read(keys.alpha);
        const alpha = toFloat32(raw.bytes, raw.dtype)[0]!;
        if (!Number.isFinite(alpha)) { problems.push(`'${keys.alpha}' is not a finite number`); ok = false; }
        scale = alpha / rank; // Kohya/PEFT: the delta is (alpha / rank)·B·A
      }
    }
    if (!ok) continue;
    if (!readData) { checked.push({ module: name, rank, a: new Float32Array(0), up: new Float32Array(0), scale }); continue; }
    const a = await source.read(keys.down);
    const b = await source.read(keys.up);
    checked.push({ module: name, rank, a: toFloat32(a.bytes, a.dtype), up: toFloat32(b.bytes, b.dtype), scale });
  }
  if (problems.length) throw new LoraError(file, `${problems.length} tensor(s) of this LoRA (${describeLayout(grouped)}) cannot be applied to this model`, problems);

  const factors = new Map<string, LoraFactors[]>();
  for (const c of readData ? checked : []) {
    const m = cat.modules.get(c.module)!;
    const byTarget = new Map<string, Float32Array>();
    for (const part of m.parts) {
      const outF = cat.linears.get(part.target)!.outF;
      let b = byTarget.get(part.target);
      if (!b) byTarget.set(part.target, (b = new Float32Array(outF * c.rank)));
      const k = c.scale * strength;
      for (let r = 0; r < part.rows; r++) {
        const src = (part.srcRow + r) * c.rank;
        const dst = (part.dstRow + r) * c.rank;
        for (let j = 0; j < c.rank; j++) b[dst + j] = c.up[src + j]! * k;
      }
    }
    for (const [target, b] of byTarget) {
      const list = factors.get(target) ?? [];
      list.push({ rank: c.rank, a: c.a, b });
      factors.set(target, list);
    }
  }
  let branchElements = 0;
  for (const c of checked) {
    const targets = new Set(cat.modules.get(c.module)!.parts.map((part) => part.target));
    for (const t of targets) { const l = cat.linears.get(t)!; branchElements += c.rank * (l.inF + l.outF); }
  }
  return { file, strength, layout: describeLayout(grouped), modules: checked.length, factors, branchElements };
}

export async function loadLoraFile(file: string, strength: number, cat: TargetCatalogue, readData = true): Promise<LoadedLora> {
  let st: SafetensorsFile;
  try {
    st = await SafetensorsFile.open(file);
  } catch (err: unknown) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a folder, not a .safetensors file' : e.message.replace(`${file}: `, '');
    throw new LoraError(file, why);
  }
  try {
    return await loadLoraSource(file, st, st.metadata, strength, cat, readData);
  } finally {
    await st.close();
  }
}

/** Several LoRAs' factors per Linear, stacked along the rank axis. */
export function combineLoras(loras: LoadedLora[]): Map<string, LoraFactors> {
  const lists = new Map<string, LoraFactors[]>();
  for (const l of loras) for (const [t, fs] of l.factors) lists.set(t, [...(lists.get(t) ?? []), ...fs]);
  const out = new Map<string, LoraFactors>();
  for (const [t, fs] of lists) {
    if (fs.length === 1) { out.set(t, fs[0]!); continue; }
    const rank = fs.reduce((s, f) => s + f.rank, 0);
    const inF = fs[0]!.a.length / fs[0]!.rank;
    const outF = fs[0]!.b.length / fs[0]!.rank;
    const a = new Float32Array(rank * inF);
    const b = new Float32Array(outF * rank);
    let r0 = 0;
    for (const f of fs) {
      a.set(f.a, r0 * inF);
      for (let o = 0; o < outF; o++) for (let j = 0; j < f.rank; j++) b[o * rank + r0 + j] = f.b[o * f.rank + j]!;
      r0 += f.rank;
    }
    out.set(t, { rank, a, b });
  }
  return out;
}
