// The dashboard's door to the one settings store `framepack config` edits (issue 16 item 4):
// shared/settings/user-settings.ts's config.json, read fresh when asked (so a `framepack config
// set` made while the dashboard runs is seen the next time a view or the player needs it) and
// written through the same validation. Also moves a `player` left in the old tui.json there, once.
import { existsSync, readFileSync } from 'node:fs';
import { readSettings, settingsFile, SettingsError, writeSettings, type Settings } from '../../shared/settings/user-settings.js';
import { saveSettings, settingsFile as tuiSettingsFile, TuiSettings } from './settings.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface UserSettingsStore {
  /** config.json's path (shown in Settings). */
  file: string;
  /** The settings now on disk; a broken file gives {} and the reason. */
  read(): { settings: Settings; problem: string | null };
  /** Set (or, with undefined, remove) one key; throws SettingsError naming the key when the value is bad. */
  write(key: string, value: unknown): void;
}

export function fileUserStore(env: Env = process.env): UserSettingsStore {
  return {
    file: settingsFile(env),
    read: () => {
      try {
        return { settings: readSettings(env), problem: null };
      } catch (err: unknown) {
        if (err instanceof SettingsError) return { settings: {}, problem: err.message };
        throw err;
      }
    },
    write: (key, value) => void writeSettings({ [key]: value }, env),
  };
}

/**
 * tui.json's `player` (where the dashboard kept it before there was one store) moves to config.json
 * unless config.json already names a player (`framepack config` wins); either way it leaves
 * tui.json, so this happens once. Returns what was done, for the log, or null.
 */
export function migrateTuiPlayer(env: Env = process.env): string | null {
  const tuiFile = tuiSettingsFile(env);
  if (!existsSync(tuiFile)) return null;
  let old: TuiSettings;
  try {
    const parsed = TuiSettings.safeParse(JSON.parse(readFileSync(tuiFile, 'utf8')));
    if (!parsed.success || parsed.data.player === undefined) return null;
    old = parsed.data;
  } catch {
    return null; // a broken tui.json is reported by loadSettings
  }
  const store = fileUserStore(env);
  const current = store.read();
  if (current.problem) return `kept player in ${tuiFile}: ${current.problem}`;
  const { player, ...rest } = old;
  const moved = current.settings.player === undefined;
  if (moved) store.write('player', player);
  saveSettings(tuiFile, rest);
  return moved
    ? `moved player "${player}" from ${tuiFile} to ${store.file} (the settings \`framepack config\` edits)`
    : `dropped player "${player}" from ${tuiFile}: ${store.file} already sets player "${String(current.settings.player)}"`;
}
