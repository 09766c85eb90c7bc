// Settings under issue 15: the file is private (item 12) and keepAlive has limits (item 11).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { setSetting, settingsDir, settingsFile } from './settings.js';

const bases: string[] = [];
afterAll(() => bases.forEach((b) => rmSync(b, { recursive: true, force: true })));
const isolated = () => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'fp-settings-'));
  bases.push(base);
  return { HOME: base, XDG_CONFIG_HOME: path.join(base, 'cfg') };
};

describe('settings file', () => {
  it('is written 0600 in a 0700 folder, whatever the umask', async () => {
    const env = isolated();
    const old = process.umask(0o022);
    try {
      await setSetting('keepAlive', '10m', env);
    } finally {
      process.umask(old);
    }
    expect(statSync(settingsFile(env)).mode & 0o777).toBe(0o600);
    expect(statSync(settingsDir(env)).mode & 0o777).toBe(0o700);
  });

  it('refuses a keepAlive above the timer limit or negative other than -1', async () => {
    const env = isolated();
    await expect(setSetting('keepAlive', 1e12, env)).rejects.toThrow(/keepAlive must be a duration .*at most 24.8 days/);
    await expect(setSetting('keepAlive', -2, env)).rejects.toThrow(/keepAlive must be a duration .*at most 24.8 days/);
    expect(await setSetting('keepAlive', -1, env)).toBe(-1);
  });
});
