// User settings (`framepack config get|set|unset|list`), stored with conf in
// $FRAMEPACK_CONFIG_DIR, else $XDG_CONFIG_HOME/framepack, else ~/.config/framepack (config.json).
// Each key has a zod schema and a one-line description; values are validated on `set` and again
// when read (a hand-edited file gives a clear error naming the key). The daemon reads them at start
// under env and flags (config.ts: defaults < settings < env < flags); `generate` and `plan` take the
// default job parameters under their flags.
//
// conf is imported lazily, for writes only: its atomic writer (atomically → when-exit) hooks every
// signal at import and re-raises the first one, which would kill the daemon's graceful SIGTERM
// shutdown and the CLI's Ctrl-C-cancels-the-job. Reads are a plain JSON parse of the same file.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Conf from 'conf';
import { z } from 'zod';
import { keepAliveToMs } from '../shared/domain/keep-alive.js';
import { GenerationMode, Sampler } from '../shared/domain/job.js';

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
const JOB_DEFAULTS = {
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
  crf: z.number().int().min(0).max(51),
  model: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be a bundle name'),
  negative: z.string(),
} as const;

interface KeyInfo { schema: z.ZodType; description: string }

export const SETTING_KEYS: Readonly<Record<string, KeyInfo>> = {
  dataDir: { schema: absolutePath, description: 'the daemon data dir: journal, jobs, log (default $XDG_DATA_HOME/framepack)' },
  outputDir: { schema: absolutePath, description: "where the daemon writes finished videos (default <dataDir>/outputs)" },
  player: { schema: z.string().min(1), description: 'command that plays a video for `framepack open` (e.g. "mpv --loop"); else $FRAMEPACK_PLAYER, else xdg-open/open' },
  keepAlive: { schema: duration, description: "how long idle model components stay loaded: '5m' (default), 0, -1 (forever); at most 24.8 days (Node's timer limit)" },
  preserveVram: { schema: z.number().min(0).max(1024), description: 'GB of device memory kept free for activations (default 6)' },
  provider: { schema: z.enum(['auto', 'cpu', 'cuda', 'webgpu']), description: "the daemon's execution provider: auto (default: cuda, else webgpu, else cpu), cpu, cuda, webgpu; FRAMEPACK_EP wins" },
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

async function store(env: Env): Promise<Conf<Settings>> {
  const { default: ConfClass } = await import('conf');
  // `cwd` instead of conf's projectName: our own XDG resolution, so an injected env is honoured.
  // 0600: settings hold paths and default prompts (issue 15 item 12); the folder is made 0700 below.
  mkdirSync(settingsDir(env), { recursive: true, mode: 0o700 });
  return new ConfClass<Settings>({ cwd: settingsDir(env), configName: 'config', accessPropertiesByDotNotation: false, configFileMode: 0o600 });
}

function info(key: string): KeyInfo {
  const k = SETTING_KEYS[key];
  if (!k) throw new SettingsError(`unknown setting '${key}' (known: ${Object.keys(SETTING_KEYS).join(', ')})`);
  return k;
}

function check(key: string, value: unknown): unknown {
  const r = info(key).schema.safeParse(value);
  if (!r.success) throw new SettingsError(`${key} ${r.error.issues[0]!.message} (got ${JSON.stringify(value)})`);
  return r.data;
}

/** Command-line text → the key's type: numbers and booleans where the schema wants them; paths made absolute. */
export function parseSettingText(key: string, text: string): unknown {
  const { schema } = info(key);
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
  for (const [key, value] of Object.entries(raw)) out[key] = check(key, value);
  return out;
}

export function getSetting(key: string, env: Env = process.env): unknown {
  info(key);
  return readSettings(env)[key];
}

export async function setSetting(key: string, value: unknown, env: Env = process.env): Promise<unknown> {
  const valid = check(key, value);
  (await store(env)).set(key, valid);
  return valid;
}

export async function unsetSetting(key: string, env: Env = process.env): Promise<void> {
  info(key);
  if (existsSync(settingsFile(env))) (await store(env)).delete(key);
}

/** The `defaults.*` settings as generate/plan flag values (strings and booleans, as parseArgs gives them). */
export function defaultJobFlags(env: Env = process.env): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (const [key, value] of Object.entries(readSettings(env))) {
    if (!key.startsWith('defaults.')) continue;
    const flag = key.slice('defaults.'.length);
    if (flag === 'teacache') out[value ? 'teacache' : 'no-teacache'] = true;
    else out[flag] = String(value);
  }
  return out;
}
