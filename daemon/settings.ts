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
import { existsSync, mkdirSync } from 'node:fs';
import type Conf from 'conf';
import { checkSetting, readSettings, settingInfo, settingsDir, settingsFile, type Settings } from '../shared/settings/user-settings.js';

// The keys, the file and reading it live in shared/ (the dashboard edits the same store).
export { getSetting, parseSettingText, readSettings, SETTING_KEYS, SettingsError, settingsDir, settingsFile, type Settings } from '../shared/settings/user-settings.js';

type Env = Readonly<Record<string, string | undefined>>;

async function store(env: Env): Promise<Conf<Settings>> {
  const { default: ConfClass } = await import('conf');
  // `cwd` instead of conf's projectName: our own XDG resolution, so an injected env is honoured.
  // 0600: settings hold paths and default prompts (issue 15 item 12); the folder is made 0700 below.
  mkdirSync(settingsDir(env), { recursive: true, mode: 0o700 });
  return new ConfClass<Settings>({ cwd: settingsDir(env), configName: 'config', accessPropertiesByDotNotation: false, configFileMode: 0o600 });
}

export async function setSetting(key: string, value: unknown, env: Env = process.env): Promise<unknown> {
  const valid = checkSetting(key, value);
  (await store(env)).set(key, valid);
  return valid;
}

export async function unsetSetting(key: string, env: Env = process.env): Promise<void> {
  settingInfo(key);
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
