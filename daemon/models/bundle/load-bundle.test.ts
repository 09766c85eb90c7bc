import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFile, mkdtemp, open, readFile, rm, truncate, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadBundle, parseManifest } from './load-bundle.js';
import { BundleError } from './bundle-error.js';
import { defaultVerifyCacheFile } from './verify-cache.js';
import { buildFakeBundle } from '../../../test/bundle/fake-definitions.js';

let dir: string;
let bundle: string;
let cacheFile: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fp-load-'));
  bundle = path.join(dir, 'bundle');
  cacheFile = path.join(dir, 'cache', 'verified.json');
  await buildFakeBundle(bundle);
});
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

async function loadError(opts: Parameters<typeof loadBundle>[1] = { verify: 'full' }): Promise<BundleError> {
  const err = await loadBundle(bundle, opts).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(BundleError);
  return err as BundleError;
}

async function flipByte(rel: string, offset: number) {
  const fh = await open(path.join(bundle, rel), 'r+');
  const b = Buffer.alloc(1);
  await fh.read(b, 0, 1, offset);
  b[0] = b[0]! ^ 0xff;
  await fh.write(b, 0, 1, offset);
  await fh.close();
}

describe('loadBundle', () => {
  it('resolves absolute paths for every component and graph', async () => {
    const b = await loadBundle(bundle, { verify: 'full' });
    expect(b.dir).toBe(bundle);
    expect(b.components.vae.graphs).toEqual({
      vae_encoder: path.join(bundle, 'vae', 'vae_encoder.onnx'),
      vae_decoder: path.join(bundle, 'vae', 'vae_decoder.onnx'),
    });
    expect(Object.values(b.components.tokenizer_2.files).sort()).toEqual([
      path.join(bundle, 'tokenizer_2', 'merges.txt'), path.join(bundle, 'tokenizer_2', 'tokenizer.json'),
    ]);
    expect(b.verification).toMatchObject({ mode: 'full', filesChecked: 9, filesHashed: 9, filesFromCache: 0 });
  });

  it('refuses a file with one flipped byte: HASH_MISMATCH naming it, expected vs actual', async () => {
    await flipByte('transformer/transformer_proj.onnx', 40);
    const err = await loadError();
    expect(err.code).toBe('HASH_MISMATCH');
    expect(err.file).toBe('transformer/transformer_proj.onnx');
    const manifest = JSON.parse(await readFile(path.join(bundle, 'manifest.json'), 'utf8'));
    expect(err.message).toContain('transformer/transformer_proj.onnx');
    expect(err.message).toContain(manifest.components.transformer.files[0].sha256);
  });

  it('refuses a truncated file: TRUNCATED with both sizes', async () => {
    const rel = 'vae/vae_decoder.onnx';
    const manifest = JSON.parse(await readFile(path.join(bundle, 'manifest.json'), 'utf8'));
    const bytes = manifest.components.vae.files.find((f: { path: string }) => f.path === rel).bytes as number;
    await truncate(path.join(bundle, rel), bytes - 10);
    const err = await loadError({ verify: 'none' });
    expect(err.code).toBe('TRUNCATED');
    expect(err.file).toBe(rel);
    expect(err.message).toContain(`${bytes - 10} bytes, expected ${bytes}`);
  });

  it('refuses a grown file (SIZE_MISMATCH) and a deleted one (MISSING_FILE)', async () => {
    await appendFile(path.join(bundle, 'tokenizer/llama.json'), ' ');
    expect((await loadError()).code).toBe('SIZE_MISMATCH');
    await rm(path.join(bundle, 'tokenizer/llama.json'));
    const err = await loadError();
    expect(err.code).toBe('MISSING_FILE');
    expect(err.file).toBe('tokenizer/llama.json');
    expect(err.message).toContain('tokenizer/llama.json');
  });

  it('refuses a missing or malformed manifest', async () => {
    await writeFile(path.join(bundle, 'manifest.json'), '{"formatVersion": 1');
    expect((await loadError()).code).toBe('INVALID_MANIFEST');
    await rm(path.join(bundle, 'manifest.json'));
    const err = await loadError();
    expect(err.code).toBe('MISSING_FILE');
    expect(err.file).toBe('manifest.json');
  });

  it("'cached' hashes once, then trusts the cache until size or mtime changes", async () => {
    const first = await loadBundle(bundle, { verify: 'cached', cacheFile });
    expect(first.verification).toMatchObject({ filesHashed: 9, filesFromCache: 0 });
    const second = await loadBundle(bundle, { verify: 'cached', cacheFile });
    expect(second.verification).toMatchObject({ filesHashed: 0, filesFromCache: 9, bytesHashed: 0 });

    // Same size, new content, new mtime: the cache entry no longer applies and the tamper is caught.
    const rel = 'text_encoder/text_encoder_proj.onnx';
    await flipByte(rel, 30);
    await utimes(path.join(bundle, rel), new Date(), new Date(Date.now() + 5000));
    const err = await loadError({ verify: 'cached', cacheFile });
    expect(err.code).toBe('HASH_MISMATCH');
    expect(err.file).toBe(rel);
    await flipByte(rel, 30); // restore the content; mtime changes again
    const third = await loadBundle(bundle, { verify: 'cached', cacheFile });
    expect(third.verification.filesHashed).toBe(1);
    expect(third.verification.filesFromCache).toBe(8);
  });

  it("a size change invalidates the cache even with the mtime put back", async () => {
    await loadBundle(bundle, { verify: 'cached', cacheFile });
    const abs = path.join(bundle, 'tokenizer_2/merges.txt');
    const { mtime } = await (await import('node:fs/promises')).stat(abs);
    await appendFile(abs, 'x');
    await utimes(abs, mtime, mtime);
    expect((await loadError({ verify: 'cached', cacheFile })).code).toBe('SIZE_MISMATCH');
  });

  it("'full' ignores the cache and 'none' hashes nothing", async () => {
    await loadBundle(bundle, { verify: 'cached', cacheFile });
    expect((await loadBundle(bundle, { verify: 'full', cacheFile })).verification.filesHashed).toBe(9);
    expect((await loadBundle(bundle, { verify: 'none' })).verification).toMatchObject({ filesChecked: 9, filesHashed: 0 });
  });

  it('survives a corrupt cache file', async () => {
    await loadBundle(bundle, { verify: 'cached', cacheFile });
    await writeFile(cacheFile, 'not json');
    expect((await loadBundle(bundle, { verify: 'cached', cacheFile })).verification.filesHashed).toBe(9);
  });

  it('puts the default cache under XDG_CACHE_HOME or ~/.cache', () => {
    expect(defaultVerifyCacheFile({ XDG_CACHE_HOME: '/x/cache' })).toBe('/x/cache/framepack/verified.json');
    expect(defaultVerifyCacheFile({})).toBe(path.join(os.homedir(), '.cache', 'framepack', 'verified.json'));
  });

  it('parseManifest names the offending field', async () => {
    const m = JSON.parse(await readFile(path.join(bundle, 'manifest.json'), 'utf8'));
    m.components.vae.files[0].sha256 = 'abc';
    expect(() => parseManifest(JSON.stringify(m))).toThrow(/components\.vae\.files\.0\.sha256/);
  });
});
