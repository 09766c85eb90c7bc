import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readMagCacheCalibration, writeMagCacheCalibration, type MagCacheCalibration } from '../models/bundle/magcache-file.js';
import { REPO_MODELS_DIR } from './pipeline/model-location.js';
import { assertCacheCalibrated, stepCacheInput } from './step-cache-spec.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fp-mcal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const calibration: MagCacheCalibration = {
  formatVersion: 1, model: 'm', sampler: 'unipc', steps: 3, ratios: [1, 1.01, 0.99], sections: 1,
  calibratedAt: '2026-12-04T00:00:00.000Z', job: { prompt: 'p', seed: 1, seconds: 1, image: 'x.png' },
};

describe('MagCache calibration in a bundle', () => {
  it('a bundle without magcache.json loads (null) and a mag job is refused at submit naming the command', async () => {
    expect(await readMagCacheCalibration(dir)).toBeNull();
    await expect(assertCacheCalibrated({ cache: 'tea', model: 'm' }, dir)).resolves.toBeUndefined();
    await expect(assertCacheCalibrated({ cache: 'mag', model: 'm' }, dir)).rejects.toThrow('--cache mag: model m has no MagCache calibration (magcache.json in its folder); run `framepack models calibrate m` once');
  });

  it('round-trips, and a damaged file is refused naming it', async () => {
    await writeMagCacheCalibration(dir, calibration);
    expect(await readMagCacheCalibration(dir)).toEqual(calibration);
    await expect(assertCacheCalibrated({ cache: 'mag', model: 'm' }, dir)).resolves.toBeUndefined();
    writeFileSync(path.join(dir, 'magcache.json'), JSON.stringify({ ...calibration, ratios: [1] }));
    await expect(readMagCacheCalibration(dir)).rejects.toThrow(/magcache\.json: ratios must have one entry per step/);
    writeFileSync(path.join(dir, 'magcache.json'), '{');
    await expect(assertCacheCalibrated({ cache: 'mag', model: 'm' }, dir)).rejects.toThrow(/--cache mag: .*not valid JSON/);
  });

  it('the default model ships calibrated at its default steps', async () => {
    const c = await readMagCacheCalibration(path.join(REPO_MODELS_DIR, 'framepack-tiny'));
    expect(c).toMatchObject({ model: 'framepack-tiny', steps: 25, sampler: 'unipc' });
    expect(c!.ratios[0]).toBe(1);
  });

  it('passes only the cache fields a client gave', () => {
    expect(stepCacheInput({})).toEqual({});
    expect(stepCacheInput({ cache: 'mag', magcacheRetention: 0.5 })).toEqual({ cache: 'mag', magcacheRetention: 0.5 });
  });
});
