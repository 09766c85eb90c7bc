import { describe, expect, it } from 'vitest';
import { cp, truncate, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REPO_MODELS_DIR } from '../../engine/pipeline/model-location.js';
import { listInstalled, removeInstalled, RemoveRefusedError, verifyInstalled, installModelsDir } from './models-dir.js';
import { fileTempDir } from '../../../test/helpers/temp-dir.js';

const tmp = fileTempDir('fp-models-dir-');
const env = { ...process.env, FRAMEPACK_MODELS_DIR: tmp };
await cp(path.join(REPO_MODELS_DIR, 'framepack-tiny'), path.join(tmp, 'copy-a'), { recursive: true });
await cp(path.join(REPO_MODELS_DIR, 'framepack-tiny'), path.join(tmp, 'framepack-tiny'), { recursive: true });
await mkdir(path.join(tmp, 'broken'));
await writeFile(path.join(tmp, 'broken', 'manifest.json'), '{"formatVersion": 1');
await mkdir(path.join(tmp, 'not-a-bundle'));

describe('models ls / verify / rm', () => {
  it('lists every bundle in the search folders with sizes; the default bundle included, shadowing marked', async () => {
    const all = await listInstalled(env);
    expect(all.map((b) => [b.name, b.isDefault, b.shadowed])).toEqual([
      ['broken', false, false], ['copy-a', false, false], ['framepack-tiny', false, false], ['framepack-tiny', true, true],
    ]);
    const a = all.find((b) => b.name === 'copy-a')!;
    expect(a.listedBytes).toBeGreaterThan(7e6); // the default bundle: 7.8 MB
    expect(a.diskBytes).toBeGreaterThanOrEqual(a.listedBytes!);
    expect(all[0]!.error).toMatch(/not valid JSON/);
    expect(installModelsDir(env)).toBe(tmp);
  });

  it('verify: ok for an intact copy, TRUNCATED naming the file for a damaged one', async () => {
    const good = await verifyInstalled(path.join(tmp, 'copy-a'), 'full');
    expect(good.ok).toBe(true);
    await truncate(path.join(tmp, 'framepack-tiny', 'vae', 'vae_decoder.onnx'), 100);
    const bad = await verifyInstalled(path.join(tmp, 'framepack-tiny'), 'full');
    expect(bad).toMatchObject({ ok: false, code: 'TRUNCATED', file: 'vae/vae_decoder.onnx' });
  });

  it('rm removes an installed bundle and refuses the committed default one', async () => {
    await removeInstalled('copy-a', env);
    expect((await listInstalled(env)).map((b) => b.name)).not.toContain('copy-a');
    await expect(removeInstalled('nope', env)).rejects.toThrow(RemoveRefusedError);
    // With no override folder, framepack-tiny is the repository's default bundle.
    await expect(removeInstalled('framepack-tiny', { ...process.env, FRAMEPACK_MODELS_DIR: '' })).rejects.toThrow(/default bundle/);
  });
});
