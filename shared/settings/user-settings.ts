// The user settings every part shares (issue 16 item 4: one store): the keys `framepack config`
// edits, each with its zod schema and one-line description, where the file is, and reading it
// (validated; a hand-edited file gives a clear error naming the key). $FRAMEPACK_CONFIG_DIR, else
// $XDG_CONFIG_HOME/framepack, else ~/.config/framepack (config.json). The daemon (daemon/settings.ts)
// writes with conf; the dashboard, which may not import daemon/, writes through writeSettings()
// below: the same file, the same validation, the same 0600 mode.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { keepAliveToMs } from '../domain/keep-alive.js';
import { GenerationMode, Sampler, StepCache } from '../domain/job.js';

type Env = Readonly<Record<string, string | undefined>>;

const absolutePath = z.string().min(1).refine((v) => path.isAbsolute(v), 'must be an absolute path');
const duration = z.union([z.string(), z.number()]).refine((v) => {
  try {
    keepAliveToMs(v);
    return true;
  } catch {
    return false;
  }
}, "must be a duration like '30s', '5m', '1h', seconds, 0 (unload after the job) or -1 (forever), at most 24.8 days (2147483647 ms)");

/** Default job parameters (flags still win); names as `framepack generate`'s flags. */
export const JOB_DEFAULTS = {
  seconds: z.number().gt(0).max(120),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  steps: z.number().int().min(1).max(100),
  gs: z.number().min(0).max(32),
  cfg: z.number().min(1).max(32),
  rs: z.number().min(0).max(1),
  window: z.number().int().min(1).max(33),
  shift: z.number().gt(0).max(100),
  sampler: Sampler,
  mode: GenerationMode,
  teacache: z.boolean(),
  'teacache-threshold': z.number().gt(0).max(10),
  cache: StepCache,
  'magcache-threshold': z.number().gt(0).max(10),
  'magcache-max-skips': z.number().int().min(0).max(100),
  'magcache-retention': z.number().min(0).max(1),
  crf: z.number().int().min(0).max(51),
  model: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be a bundle name'),
  negative: z.string(),
} as const;

export interface KeyInfo { schema: z.ZodType; description: string }

export const SETTING_KEYS: Readonly<Record<string, KeyInfo>> = {
  dataDir: { schema: absolutePath, description: 'the daemon data dir: journal, jobs, log (default $XDG_DATA_HOME/framepack)' },
  outputDir: { schema: absolutePath, description: "where the daemon writes finished videos (default <dataDir>/outputs)" },
  player: { schema: z.string().min(1), description: 'command that plays a video for `framepack open` and the dashboard (e.g. "mpv --loop"); the path is appended, or replaces a {} argument; else $FRAMEPACK_PLAYER, else xdg-open/open' },
  keepAlive: { schema: duration, description: "how long idle model components stay loaded: '5m' (default), 0, -1 (forever); at most 24.8 days (Node's timer limit)" },
  preserveVram: { schema: z.number().min(0).max(1024), description: 'GB of device memory kept free for activations (default 6)' },
  provider: { schema: z.enum(['auto', 'cpu', 'cuda', 'webgpu']), description: "the daemon's execution provider: auto (default: cuda, else webgpu, else cpu), cpu, cuda, webgpu; FRAMEPACK_EP wins" },
  queue: { schema: z.string().regex(/^(redis|rediss|unix|redis\+unix):\/\//, 'must be a redis://, rediss:// or unix:// URL'), description: 'the shared queue (docs/cluster.md): the daemon becomes its worker (as daemon start --queue) and cluster.submit uses it; keeps a password out of the process list (this file is 0600)' },
  ...Object.fromEntries(Object.entries(JOB_DEFAULTS).map(([k, schema]) => [`defaults.${k}`, { schema, description: `default --${k} for generate and plan` }])),
};

/** A bad key or value; the message is one line naming the key. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

export type Settings = Record<string, unknown>;

/** The settings folder: $FRAMEPACK_CONFIG_DIR, else $XDG_CONFIG_HOME/framepack, else ~/.config/framepack. */
export function settingsDir(env: Env = process.env): string {
  if (env.FRAMEPACK_CONFIG_DIR) return path.resolve(env.FRAMEPACK_CONFIG_DIR);
  const base = env.XDG_CONFIG_HOME ? path.resolve(env.XDG_CONFIG_HOME) : path.join(env.HOME ?? os.homedir(), '.config');
  return path.join(base, 'framepack');
}

export function settingsFile(env: Env = process.env): string {
  return path.join(settingsDir(env), 'config.json');
}

export function settingInfo(key: string): KeyInfo {
  const k = SETTING_KEYS[key];
  if (!k) throw new SettingsError(`unknown setting '${key}' (known: ${Object.keys(SETTING_KEYS).join(', ')})`);
  return k;
}

export function checkSetting(key: string, value: unknown): unknown {
  const r = settingInfo(key).schema.safeParse(value);
  if (!r.success) throw new SettingsError(`${key} ${r.error.issues[0]!.message} (got ${JSON.stringify(value)})`);
  return r.data;
}

/** Command-line text → the key's type: numbers and booleans where the schema wants them; paths made absolute. */
export function parseSettingText(key: string, text: string): unknown {
  const { schema } = settingInfo(key);
  if (key === 'dataDir' || key === 'outputDir') return path.resolve(text);
  if (schema.safeParse(text).success) return text;
  if (text === 'true' || text === 'false') return text === 'true';
  const n = Number(text.trim());
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

/** Every stored setting, validated (an empty object when there is no file). */
export function readSettings(env: Env = process.env): Settings {
  if (!existsSync(settingsFile(env))) return {};
  let raw: Settings;
  try {
    raw = JSON.parse(readFileSync(settingsFile(env), 'utf8')) as Settings;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('not a JSON object');
  } catch (err: unknown) {
    throw new SettingsError(`${settingsFile(env)}: ${(err as Error).message.split('\n')[0]}`);
  }
  const out: Settings = {};
  for (const [key, value] of Object.entries(raw)) out[key] = checkSetting(key, value);
  return out;
}

export function getSetting(key: string, env: Env = process.env): unknown {
  settingInfo(key);
  return readSettings(env)[key];
}


/** Every setting after `patch` (undefined removes a key), validated, written atomically (temp + rename) with mode 0600. */
export function writeSettings(patch: Readonly<Record<string, unknown>>, env: Env = process.env): Settings {
  const next: Settings = { ...readSettings(env) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) {
      settingInfo(key);
      delete next[key];
    } else next[key] = checkSetting(key, value);
  }
  const file = settingsFile(env);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(next, null, '\t')}\n`, { mode: 0o600 });
  renameSync(tmp, file);
  return next;
}
