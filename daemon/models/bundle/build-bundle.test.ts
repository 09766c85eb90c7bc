import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildBundle, type BuildProgress } from './build-bundle.js';
import { resolveBundleConfig } from './bundle-config.js';
import { BundleError } from './bundle-error.js';
import { loadBundle } from './load-bundle.js';
import { runOnce, tensorF32 } from '../../onnx/run.js';
import { buildFakeBundle, fakeDefinitions, fakeWeights } from '../../../test/bundle/fake-definitions.js';

let dir: string;
beforeEach(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'fp-buildlib-')); });
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

async function setup(breakVae = false) {
  const defs = fakeDefinitions();
  if (breakVae) defs.vae = { ...defs.vae, buildGraphs: () => { throw new Error('boom in vae'); } };
  const config = resolveBundleConfig({ name: 'lib', preset: 'tiny' }, defs);
  const tok = path.join(dir, 'tok.json');
  await writeFile(tok, '{}');
  return { config, definitions: defs, weights: fakeWeights(defs, config.components), tokenizers: { llama: tok, clip: tok }, weightDtype: 'float32' as const };
}

describe('buildBundle', () => {
  it('reports progress per component, in order, and writes the manifest last', async () => {
    const events: BuildProgress[] = [];
    const out = path.join(dir, 'out');
    await buildBundle({ ...(await setup()), outDir: out, onProgress: (p) => events.push(p) });
    const done = events.filter((e) => e.phase === 'done').map((e) => `${e.done}/${e.total} ${e.component}`);
    expect(done).toEqual(['1/7 transformer', '2/7 vae', '3/7 text_encoder', '4/7 text_encoder_2', '5/7 image_encoder', '6/7 tokenizer', '7/7 tokenizer_2']);
    expect(events.filter((e) => e.component === 'vae' && e.phase === 'write').map((e) => e.detail)).toEqual(['vae/vae_encoder.onnx', 'vae/vae_decoder.onnx']);
    await expect(loadBundle(out, { verify: 'full' })).resolves.toBeDefined();
  });

  it('a failed rebuild leaves no manifest behind, so the old bundle cannot be half-used', async () => {
    const out = path.join(dir, 'out');
    await buildFakeBundle(out);
    const err = await buildBundle({ ...(await setup(true)), outDir: out }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BundleError);
    expect((err as BundleError).code).toBe('BUILD_FAILED');
    expect((err as BundleError).message).toContain('vae: building graphs failed: boom in vae');
    await expect(access(path.join(out, 'manifest.json'))).rejects.toThrow();
    expect(((await loadBundle(out).catch((e: unknown) => e)) as BundleError).code).toBe('MISSING_FILE');
  });

  it('lists, verifies and runs graphs with external data', async () => {
    const out = path.join(dir, 'ext');
    const { manifest } = await buildFakeBundle(out, { externalData: 'always' });
    expect(manifest.components.vae.files.map((f) => f.path)).toEqual([
      'vae/vae_decoder.onnx', 'vae/vae_decoder.onnx.data', 'vae/vae_encoder.onnx', 'vae/vae_encoder.onnx.data',
    ]);
    const b = await loadBundle(out, { verify: 'full' });
    const y = await runOnce(b.components.vae.graphs.vae_decoder!, { x: tensorF32(new Float32Array(4).fill(1), [1, 4]) });
    expect(y.y!.dims).toEqual([1, 4]);
    const data = path.join(out, 'vae', 'vae_decoder.onnx.data');
    const bytes = await readFile(data);
    bytes[0] = bytes[0]! ^ 1;
    await writeFile(data, bytes);
    const err = (await loadBundle(out, { verify: 'full' }).catch((e: unknown) => e)) as BundleError;
    expect([err.code, err.file]).toEqual(['HASH_MISMATCH', 'vae/vae_decoder.onnx.data']);
  });

  it('refuses a tokenizer path that does not exist', async () => {
    const s = await setup();
    const err = await buildBundle({ ...s, tokenizers: { llama: s.tokenizers.llama, clip: path.join(dir, 'nope') }, outDir: path.join(dir, 'o') }).catch((e: unknown) => e);
    expect((err as BundleError).message).toContain('nope: tokenizer file or folder does not exist');
  });
});
