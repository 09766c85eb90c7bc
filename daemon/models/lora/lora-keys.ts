// Reads the tensor names of a LoRA file into modules (down/up/alpha per module) in the three layouts
// users' HunyuanVideo / FramePack LoRAs come in:
//   diffusers / PEFT   transformer.<module>.lora_A.weight, .lora_B.weight (also .lora.down/.lora.up,
//                      a PEFT `base_model.model.` prefix, an optional <module>.alpha)
//   Kohya / Musubi     lora_unet_<module with _ for .>.lora_down.weight, .lora_up.weight, .alpha
//                      (also lora_transformer_<…>)
//   HunyuanVideo names either of the above over the original modules (diffusion_model.double_blocks…)
// Pure: names in, a grouping and the names it could not place out.
import type { SourceModule, TargetCatalogue } from './lora-targets.js';

export type LoraLayout = 'diffusers' | 'kohya';

export interface ModuleKeys {
  module: SourceModule;
  down?: string;
  up?: string;
  alpha?: string;
}

export interface GroupedKeys {
  /** By dotted module name. */
  modules: Map<string, ModuleKeys>;
  /** Tensor names that name no layer of this transformer, or a part we cannot apply. */
  unknown: string[];
  layouts: Set<LoraLayout>;
}

const PREFIXES = ['base_model.model.', 'transformer.', 'diffusion_model.', 'model.diffusion_model.'];
const DOTTED_SUFFIXES: [RegExp, 'down' | 'up' | 'alpha'][] = [
  [/\.lora_A(?:\.default)?\.weight$/, 'down'],
  [/\.lora_B(?:\.default)?\.weight$/, 'up'],
  [/\.lora_down\.weight$/, 'down'],
  [/\.lora_up\.weight$/, 'up'],
  [/\.lora\.down\.weight$/, 'down'],
  [/\.lora\.up\.weight$/, 'up'],
  [/\.alpha$/, 'alpha'],
];

function stripPrefixes(name: string): string {
  let n = name;
  for (let changed = true; changed;) {
    changed = false;
    for (const p of PREFIXES) if (n.startsWith(p)) { n = n.slice(p.length); changed = true; }
  }
  return n;
}

/** Module name and role of one tensor name, or null when it is not a LoRA tensor we know. */
export function classifyKey(name: string, cat: TargetCatalogue): { module: string; role: 'down' | 'up' | 'alpha'; layout: LoraLayout } | 'unknown-module' | null {
  const n = stripPrefixes(name);
  for (const [re, role] of DOTTED_SUFFIXES) {
    const m = re.exec(n);
    if (!m) continue;
    const mod = n.slice(0, m.index);
    // Kohya's prefix; some trainers (OneTrainer, SimpleTuner) write lora_transformer_ for the same names.
    const flat = mod.startsWith('lora_transformer_') ? `lora_unet_${mod.slice('lora_transformer_'.length)}` : mod;
    if (flat.startsWith('lora_unet_')) {
      const dotted = cat.kohya.get(flat);
      return dotted ? { module: dotted, role, layout: 'kohya' } : 'unknown-module';
    }
    return cat.modules.has(mod) ? { module: mod, role, layout: 'diffusers' } : 'unknown-module';
  }
  return null;
}

export function groupLoraKeys(names: string[], cat: TargetCatalogue): GroupedKeys {
  const modules = new Map<string, ModuleKeys>();
  const unknown: string[] = [];
  const layouts = new Set<LoraLayout>();
  for (const name of names) {
    const c = classifyKey(name, cat);
    if (c === null || c === 'unknown-module') { unknown.push(name); continue; }
    layouts.add(c.layout);
    let entry = modules.get(c.module);
    if (!entry) modules.set(c.module, (entry = { module: cat.modules.get(c.module)! }));
    if (entry[c.role] !== undefined) {
      // Two tensors for one role (e.g. the same module under two prefixes): ambiguous, so refuse it.
      unknown.push(name);
      continue;
    }
    entry[c.role] = name;
  }
  return { modules, unknown, layouts };
}

/** How a LoRA's layout reads in messages ("Kohya/Musubi, HunyuanVideo names"). */
export function describeLayout(g: GroupedKeys): string {
  const layout = [...g.layouts].map((l) => (l === 'kohya' ? 'Kohya/Musubi' : 'diffusers/PEFT')).join(' + ') || 'unknown';
  const namings = new Set([...g.modules.values()].map((m) => m.module.naming));
  const naming = [...namings].map((n) => (n === 'hunyuan' ? 'HunyuanVideo names' : 'FramePack/diffusers names')).join(' + ');
  return naming ? `${layout}, ${naming}` : layout;
}
