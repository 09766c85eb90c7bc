import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { defaultJobFlags, getSetting, parseSettingText, readSettings, setSetting, settingsDir, settingsFile, unsetSetting } from './settings.js';
import { withSettingsDefaults } from './cli/job-args.js';

const mkdirp = (d: string) => (mkdirSync(d, { recursive: true }), d);
const bases: string[] = [];
afterAll(() => bases.forEach((b) => rmSync(b, { recursive: true, force: true })));
const isolated = () => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'fp-settings-'));
  bases.push(base);
  return { HOME: base, XDG_CONFIG_HOME: path.join(base, 'cfg'), XDG_DATA_HOME: path.join(base, 'data'), XDG_RUNTIME_DIR: path.join(base, 'rt') };
};

describe('settings', () => {
  it('loading the config does not load conf (its atomic writer hooks every signal and re-raises it)', () => {
    const env = isolated();
    writeFileSync(path.join(mkdirp(settingsDir(env)), 'config.json'), '{"keepAlive":"1m"}');
    const loader = pathToFileURL(path.resolve(import.meta.dirname, '../node_modules/tsx/dist/loader.mjs')).href;
    const code = `const { loadConfig } = await import(${JSON.stringify(path.join(import.meta.dirname, 'config.ts'))});
      console.log(JSON.stringify({ keepAliveMs: loadConfig().keepAliveMs, sigint: process.listenerCount('SIGINT'), sigterm: process.listenerCount('SIGTERM') }));`;
    const out = execFileSync(process.execPath, ['--import', loader, '--input-type=module', '-e', code], { env: { ...process.env, ...env }, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ keepAliveMs: 60_000, sigint: 0, sigterm: 0 });
  });

  it('live in $FRAMEPACK_CONFIG_DIR, else $XDG_CONFIG_HOME/framepack, else ~/.config/framepack', () => {
    expect(settingsDir({ FRAMEPACK_CONFIG_DIR: '/x/y', XDG_CONFIG_HOME: '/c' })).toBe('/x/y');
    expect(settingsFile({ XDG_CONFIG_HOME: '/c' })).toBe('/c/framepack/config.json');
    expect(settingsDir({ HOME: '/home/u' })).toBe('/home/u/.config/framepack');
  });

  it('set validates and stores typed values; get, unset and list read them back', async () => {
    const env = isolated();
    expect(readSettings(env)).toEqual({});
    expect(await setSetting('defaults.steps', parseSettingText('defaults.steps', '12'), env)).toBe(12);
    expect(await setSetting('defaults.teacache', parseSettingText('defaults.teacache', 'false'), env)).toBe(false);
    expect(await setSetting('keepAlive', parseSettingText('keepAlive', '10m'), env)).toBe('10m');
    expect(await setSetting('keepAlive', parseSettingText('keepAlive', '-1'), env)).toBe('-1');
    expect(await setSetting('player', parseSettingText('player', 'mpv --loop'), env)).toBe('mpv --loop');
    expect(parseSettingText('outputDir', 'rel')).toBe(path.resolve('rel'));
    expect(getSetting('defaults.steps', env)).toBe(12);
    await expect(setSetting('defaults.steps', 0, env)).rejects.toThrow(/^defaults.steps .*>=1.* \(got 0\)$/);
    await expect(setSetting('keepAlive', 'soon', env)).rejects.toThrow("keepAlive must be a duration like '30s'");
    await expect(setSetting('dataDir', 'relative', env)).rejects.toThrow('dataDir must be an absolute path');
    await expect(setSetting('defaults.sampler', 'ddim', env)).rejects.toThrow(/^defaults.sampler /);
    await expect(setSetting('colour', 'red', env)).rejects.toThrow("unknown setting 'colour'");
    await unsetSetting('player', env);
    expect(readSettings(env)).toEqual({ 'defaults.steps': 12, 'defaults.teacache': false, keepAlive: '-1' });
    expect(defaultJobFlags(env)).toEqual({ steps: '12', 'no-teacache': true });
  });

  it('a hand-edited bad value fails with the key named; so does a broken file', async () => {
    const env = isolated();
    await setSetting('preserveVram', 2, env);
    writeFileSync(settingsFile(env), JSON.stringify({ preserveVram: 'lots' }));
    expect(() => readSettings(env)).toThrow(/^preserveVram .*number/);
    writeFileSync(settingsFile(env), '{"preserveVram": 2,');
    expect(() => readSettings(env)).toThrow(`${settingsFile(env)}: `);
  });

  it('the daemon config reads them under env and flags', async () => {
    const env = isolated();
    await setSetting('keepAlive', '10m', env);
    await setSetting('preserveVram', 2.5, env);
    await setSetting('outputDir', '/videos', env);
    await setSetting('dataDir', '/srv/framepack', env);
    const c = loadConfig([], env);
    expect(c).toMatchObject({ keepAliveMs: 600_000, preserveVramBytes: Math.round(2.5 * 1024 ** 3), outputDir: '/videos', dataDir: '/srv/framepack' });
    const over = loadConfig(['--keep-alive', '0'], { ...env, FRAMEPACK_PRESERVE_VRAM: '1', FRAMEPACK_DATA_DIR: '/d', FRAMEPACK_OUTPUT_DIR: '/o' });
    expect(over).toMatchObject({ keepAliveMs: 0, preserveVramBytes: 1024 ** 3, dataDir: '/d', outputDir: '/o' });
    // Without settings: the XDG data home.
    expect(loadConfig([], isolated()).keepAliveMs).toBe(300_000);
  });

  it('job defaults sit under the flags; an explicit --teacache/--no-teacache replaces the setting', () => {
    expect(withSettingsDefaults({ image: 'a.png', steps: '3', seed: undefined }, { steps: '12', seed: '5', 'no-teacache': true }))
      .toEqual({ image: 'a.png', steps: '3', seed: '5', 'no-teacache': true });
    expect(withSettingsDefaults({ teacache: true }, { 'no-teacache': true })).toEqual({ teacache: true });
  });
});
