import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readSettings } from '../../shared/settings/user-settings.js';
import { fileUserStore, migrateTuiPlayer } from './user-store.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempEnv() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fp-user-'));
  dirs.push(dir);
  return { dir, env: { FRAMEPACK_CONFIG_DIR: dir } };
}

describe('the dashboard on the one settings store', () => {
  it('writes config.json (what `framepack config` reads) with the same validation, mode 0600', () => {
    const { dir, env } = tempEnv();
    const store = fileUserStore(env);
    expect(store.file).toBe(path.join(dir, 'config.json'));
    store.write('defaults.steps', 12);
    store.write('player', 'mpv --loop');
    expect(readSettings(env)).toEqual({ 'defaults.steps': 12, player: 'mpv --loop' });
    expect(statSync(store.file).mode & 0o777).toBe(0o600);
    expect(() => store.write('defaults.steps', 250)).toThrow(/defaults.steps .*100/);
    expect(() => store.write('nope', 1)).toThrow(/unknown setting 'nope'/);
    store.write('player', undefined);
    expect(store.read()).toEqual({ settings: { 'defaults.steps': 12 }, problem: null });
    writeFileSync(store.file, '{"keepAlive": "forever"}');
    expect(store.read().problem).toContain('keepAlive');
  });

  it('moves tui.json\'s player to config.json once, keeping the key overrides', () => {
    const { dir, env } = tempEnv();
    writeFileSync(path.join(dir, 'tui.json'), JSON.stringify({ player: 'vlc', keybindings: { 'ctrl+q': 'workbench.quit' } }));
    expect(migrateTuiPlayer(env)).toContain('moved player "vlc"');
    expect(readSettings(env).player).toBe('vlc');
    expect(JSON.parse(readFileSync(path.join(dir, 'tui.json'), 'utf8'))).toEqual({ keybindings: { 'ctrl+q': 'workbench.quit' } });
    expect(migrateTuiPlayer(env)).toBeNull(); // once
  });

  it('a player already set with `framepack config` wins over the old tui.json one', () => {
    const { dir, env } = tempEnv();
    fileUserStore(env).write('player', 'mpv');
    writeFileSync(path.join(dir, 'tui.json'), JSON.stringify({ player: 'vlc' }));
    expect(migrateTuiPlayer(env)).toContain('already sets player "mpv"');
    expect(readSettings(env).player).toBe('mpv');
    expect(JSON.parse(readFileSync(path.join(dir, 'tui.json'), 'utf8'))).toEqual({});
  });
});
