import { cpSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManifestCache } from './manifest-cache.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fp-mc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ManifestCache', () => {
  it('parses an unchanged manifest once, and again after it changed', async () => {
    cpSync(path.resolve(import.meta.dirname, '../../../models/framepack-tiny/manifest.json'), path.join(dir, 'manifest.json'));
    const c = new ManifestCache();
    const a = await c.read(dir);
    const b = await c.read(dir);
    expect(b).toBe(a);
    expect(c.parses).toBe(1);
    const later = new Date(Date.now() + 5000);
    utimesSync(path.join(dir, 'manifest.json'), later, later);
    expect((await c.read(dir)).name).toBe(a.name);
    expect(c.parses).toBe(2);
  });

  it('a missing manifest is the loader\'s clear error', async () => {
    await expect(new ManifestCache().read(path.join(dir, 'nope'))).rejects.toThrow(/no manifest.json/);
  });
});
