// The dashboard's own file, tui.json (validated with zod): keybinding overrides only — every other
// setting, the player included, lives in the one store `framepack config` edits (user-store.ts,
// shared/settings/user-settings.ts). `player` is still read here so an old tui.json can be moved
// there once (migrateTuiPlayer). The file is $FRAMEPACK_CONFIG_DIR/tui.json, else
// $XDG_CONFIG_HOME/framepack/tui.json, else ~/.config/framepack/tui.json. A broken file is
// reported (Problems) and ignored, never fatal.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { playerArgsFor, splitCommandLine } from '../../shared/settings/player-command.js';

export const TuiSettings = z.object({
  /** Before issue 16: the player command; moved to config.json at start (user-store.ts). */
  player: z.string().min(1).max(1000).optional(),
  /** Chord → command id; '' removes a default binding. */
  keybindings: z.record(z.string().min(1).max(32), z.string().max(100)).optional(),
});
export type TuiSettings = z.infer<typeof TuiSettings>;

type Env = Readonly<Record<string, string | undefined>>;

export function settingsFile(env: Env = process.env): string {
  if (env.FRAMEPACK_CONFIG_DIR) return path.join(path.resolve(env.FRAMEPACK_CONFIG_DIR), 'tui.json');
  const base = env.XDG_CONFIG_HOME ? path.resolve(env.XDG_CONFIG_HOME) : path.join(env.HOME ?? os.homedir(), '.config');
  return path.join(base, 'framepack', 'tui.json');
}

export interface LoadedSettings {
  settings: TuiSettings;
  file: string;
  /** Why the file was ignored, when it was. */
  problem: string | null;
}

export function loadSettings(env: Env = process.env): LoadedSettings {
  const file = settingsFile(env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { settings: {}, file, problem: null }; // no file yet: defaults
  }
  try {
    const parsed = TuiSettings.safeParse(JSON.parse(text));
    if (parsed.success) return { settings: parsed.data, file, problem: null };
    return { settings: {}, file, problem: `${file}: ${z.prettifyError(parsed.error)}` };
  } catch (err: unknown) {
    return { settings: {}, file, problem: `${file}: ${(err as Error).message}` };
  }
}

/** Write atomically (temp file + rename) so a crash never leaves half a settings file. */
export function saveSettings(file: string, settings: TuiSettings): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(TuiSettings.parse(settings), null, 2)}\n`);
  renameSync(tmp, file);
}

export interface PlayerCommand {
  command: string;
  args: string[];
  /** Where it came from, shown in Settings. */
  source: 'settings' | 'FRAMEPACK_PLAYER' | 'system';
}

export { splitCommandLine };

/** The player: the `player` setting, else $FRAMEPACK_PLAYER, else the system opener (xdg-open / open), as `framepack open`. */
export function resolvePlayer(settings: { player?: unknown }, env: Env = process.env, platform: NodeJS.Platform = process.platform): PlayerCommand {
  const [line, source] = typeof settings.player === 'string' && settings.player !== '' ? [settings.player, 'settings' as const] : env.FRAMEPACK_PLAYER ? [env.FRAMEPACK_PLAYER, 'FRAMEPACK_PLAYER' as const] : [platform === 'darwin' ? 'open' : platform === 'win32' ? 'explorer' : 'xdg-open', 'system' as const];
  const [command, ...args] = splitCommandLine(line);
  return { command: command ?? 'xdg-open', args, source };
}

/** argv for opening one file: "{}" is replaced by the path, else the path is appended (as `framepack open`). */
export function playerArgv(player: PlayerCommand, file: string): string[] {
  return playerArgsFor(player.args, file);
}
