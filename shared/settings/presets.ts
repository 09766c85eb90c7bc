// Saved presets (issue 16 "what to build"): named sets of job parameters in presets.json beside
// the settings (settings-dir: $FRAMEPACK_CONFIG_DIR, else $XDG_CONFIG_HOME/framepack). As in
// FramePack-Studio, a preset is the form's parameters with the prompt (and negative prompt) when
// one was saved, never the start image; the output path is left out too, since a second job
// with the same path would replace the first one's video. Keys are `framepack generate`'s flag
// names and each value is checked by the same schema as the `defaults.*` setting of that flag,
// so a preset holds exactly what `generate --preset` can apply. `framepack presets` and the
// dashboard's form both read and write it through this file. Pure but for the file I/O at the end.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { JobSpec } from '../domain/job.js';
import { JOB_DEFAULTS, settingsDir, SettingsError } from './user-settings.js';

type Env = Readonly<Record<string, string | undefined>>;

/** What a preset may hold: every job flag of `generate` but --image and --out, with the prompt. */
export const PRESET_KEYS: Readonly<Record<string, z.ZodType>> = {
  prompt: z.string().max(20_000), ...JOB_DEFAULTS,
  // Values only: the bucket class, and the directing options that are not files (an end image,
  // keyframes and extension sources are files on this machine, like LoRAs: never in a preset).
  // Not defaults.* settings: end-strength means something only beside an end image.
  resolution: JobSpec.shape.resolution.unwrap(),
  'prompt-blend': JobSpec.shape.promptBlend.unwrap(),
  'end-strength': JobSpec.shape.endStrength.unwrap(),
};

export type Preset = Record<string, unknown>;
export type Presets = Record<string, Preset>;

/** What a preset name may be (one word, so it is safe on a command line and in a file). */
export const PRESET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function checkPresetName(name: string): string {
  if (!PRESET_NAME.test(name)) throw new SettingsError(`preset name '${name}' must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit`);
  return name;
}

/** One preset's values, validated key by key; the message names the preset and the key. */
export function checkPreset(name: string, values: Readonly<Record<string, unknown>>): Preset {
  const out: Preset = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const schema = PRESET_KEYS[key];
    if (!schema) {
      const why = key === 'image' ? ' (a preset never holds the start image)' : key === 'out' ? ' (a preset never holds the output path)' : '';
      throw new SettingsError(`preset ${name}: unknown parameter '${key}'${why} (known: ${Object.keys(PRESET_KEYS).join(', ')})`);
    }
    const r = schema.safeParse(value);
    if (!r.success) throw new SettingsError(`preset ${name}: ${key} ${r.error.issues[0]!.message} (got ${JSON.stringify(value)})`);
    out[key] = r.data;
  }
  if (Object.keys(out).length === 0) throw new SettingsError(`preset ${name}: no parameters to save`);
  return out;
}

/** A preset as `generate` flags (what the parser would have produced from the command line). */
export function presetFlags(preset: Preset): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (const [key, value] of Object.entries(preset)) {
    if (key === 'teacache') out[value ? 'teacache' : 'no-teacache'] = true;
    else out[key] = String(value);
  }
  return out;
}

/** One line per preset for `presets ls` and the dashboard: `NAME  steps=12 sampler=euler prompt="a cat"`. */
export function presetSummary(preset: Preset): string {
  return Object.entries(preset).map(([k, v]) => `${k}=${typeof v === 'string' && (k === 'prompt' || k === 'negative') ? JSON.stringify(v) : String(v)}`).join(' ');
}

export function presetsFile(env: Env = process.env): string {
  return path.join(settingsDir(env), 'presets.json');
}

/** Every saved preset, validated (an empty object when there is no file). */
export function readPresets(env: Env = process.env): Presets {
  const file = presetsFile(env);
  if (!existsSync(file)) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('not a JSON object');
  } catch (err: unknown) {
    throw new SettingsError(`${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  const out: Presets = {};
  for (const [name, values] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof values !== 'object' || values === null || Array.isArray(values)) throw new SettingsError(`${file}: preset ${name} is not an object`);
    out[checkPresetName(name)] = checkPreset(name, values as Record<string, unknown>);
  }
  return out;
}

/** The named preset, or a SettingsError listing the saved names. */
export function getPreset(name: string, env: Env = process.env): Preset {
  const all = readPresets(env);
  const p = Object.hasOwn(all, name) ? all[name] : undefined;
  if (!p) {
    const names = Object.keys(all);
    throw new SettingsError(`no preset '${name}' (${names.length ? `saved: ${names.join(', ')}` : 'none saved; framepack presets save NAME [flags]'})`);
  }
  return p;
}

function writePresets(all: Presets, env: Env): void {
  const file = presetsFile(env);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(all, null, '\t')}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/** Save (or replace) a preset; returns whether one of that name was replaced. */
export function savePreset(name: string, values: Readonly<Record<string, unknown>>, env: Env = process.env): { preset: Preset; replaced: boolean } {
  checkPresetName(name);
  const preset = checkPreset(name, values);
  const all = readPresets(env);
  const replaced = Object.hasOwn(all, name);
  writePresets({ ...all, [name]: preset }, env);
  return { preset, replaced };
}

export function removePreset(name: string, env: Env = process.env): void {
  const all = readPresets(env);
  getPreset(name, env);
  delete all[name];
  writePresets(all, env);
}
