import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings, playerArgv, resolvePlayer, saveSettings, settingsFile, splitCommandLine } from './settings.js';
import { testTempDir } from '../../test/helpers/temp-dir.js';

describe('dashboard settings', () => {
  it('resolves the player: settings, then FRAMEPACK_PLAYER, then the system opener', () => {
    expect(resolvePlayer({ player: 'mpv --loop' }, { FRAMEPACK_PLAYER: 'vlc' })).toEqual({ command: 'mpv', args: ['--loop'], source: 'settings' });
    expect(resolvePlayer({}, { FRAMEPACK_PLAYER: '"/opt/my player/play" -f' })).toEqual({ command: '/opt/my player/play', args: ['-f'], source: 'FRAMEPACK_PLAYER' });
    expect(resolvePlayer({}, {}, 'linux')).toEqual({ command: 'xdg-open', args: [], source: 'system' });
    expect(resolvePlayer({}, {}, 'darwin').command).toBe('open');
    expect(playerArgv({ command: 'mpv', args: ['--x'], source: 'settings' }, '/v.mp4')).toEqual(['--x', '/v.mp4']);
    expect(playerArgv({ command: 'p', args: ['--in', '{}', '-q'], source: 'settings' }, '/v.mp4')).toEqual(['--in', '/v.mp4', '-q']);
    expect(splitCommandLine(`a 'b c' "" d`)).toEqual(['a', 'b c', '', 'd']);
  });

  it('loads, saves atomically, and reports a broken file instead of failing', () => {
    const dir = testTempDir('fp-set-');
    const env = { FRAMEPACK_CONFIG_DIR: dir };
    expect(settingsFile(env)).toBe(path.join(dir, 'tui.json'));
    expect(settingsFile({ XDG_CONFIG_HOME: '/x' })).toBe('/x/framepack/tui.json');
    expect(loadSettings(env)).toEqual({ settings: {}, file: path.join(dir, 'tui.json'), problem: null });
    saveSettings(path.join(dir, 'tui.json'), { player: 'mpv', keybindings: { 'ctrl+q': 'workbench.quit' } });
    expect(JSON.parse(readFileSync(path.join(dir, 'tui.json'), 'utf8'))).toEqual({ player: 'mpv', keybindings: { 'ctrl+q': 'workbench.quit' } });
    expect(loadSettings(env).settings.player).toBe('mpv');
    writeFileSync(path.join(dir, 'tui.json'), '{"player": 3}');
    const broken = loadSettings(env);
    expect(broken.settings).toEqual({});
    expect(broken.problem).toContain('player');
  });
});
