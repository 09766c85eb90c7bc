// `models pull` against a Hugging Face-like server on 127.0.0.1 serving the tiny official
// checkpoints: resolve URLs, LFS files behind a 302 with X-Linked-Etag (sha256) and X-Linked-Size,
// Range support; a download cut off midway resumes (within one pull, and across two pulls), a
// corrupted file is refused by its sha256, and the result imports into a working bundle.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { componentDefinitions } from '../bundle/definitions.js';
import { loadBundle } from '../bundle/load-bundle.js';
import type { Manifest } from '../bundle/manifest.js';
import { REPO_MODELS_DIR } from '../../engine/pipeline/model-location.js';
import { DownloadError } from './download.js';
import { pullModel, resolveUrl } from './pull.js';
import { defaultBundleOfficialOptions, writeTinyOfficialCheckpoints } from './tiny-official.js';
import { fileTempDir } from '../../../test/helpers/temp-dir.js';

const tmp = fileTempDir('fp-pull-test-');
const fixture = path.join(tmp, 'served');
const REPOS: Record<string, string> = {
  'lllyasviel/FramePackI2V_HY': 'FramePackI2V_HY',
  'hunyuanvideo-community/HunyuanVideo': 'HunyuanVideo',
  'lllyasviel/flux_redux_bfl': 'flux_redux_bfl',
};
const SHARD = 'diffusion_pytorch_model-00001-of-00002.safetensors';

interface Behaviour { cutOnce: Set<string>; wrongSha: Set<string>; cdnOrigin: string }
const behaviour: Behaviour = { cutOnce: new Set(), wrongSha: new Set(), cdnOrigin: '' };
const log: { method: string; url: string; range: string | undefined }[] = [];
const blobs = new Map<string, string>(); // sha256 → local file
let server: Server;
let endpoint = '';

beforeAll(async () => {
  await writeTinyOfficialCheckpoints(fixture, { definitions: componentDefinitions, clipVocabMerges: true, ...await defaultBundleOfficialOptions() });
  server = createServer((req, res) => {
    void (async () => {
      const url = decodeURIComponent(req.url ?? '');
      log.push({ method: req.method ?? '', url, range: req.headers.range });
      const cdn = /^\/cdn\/([0-9a-f]{64})$/.exec(url);
      if (cdn) {
        const file = blobs.get(cdn[1]!);
        if (!file) { res.writeHead(404).end(); return; }
        const body = await readFile(file);
        const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
        const start = m ? Number(m[1]) : 0;
        const slice = body.subarray(start);
        res.writeHead(m ? 206 : 200, { 'content-length': slice.length, 'accept-ranges': 'bytes', ...(m ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}) });
        if (req.method === 'HEAD') { res.end(); return; }
        const key = path.basename(file);
        if (behaviour.cutOnce.has(key) && !m) {
          behaviour.cutOnce.delete(key);
          res.write(slice.subarray(0, Math.floor(slice.length / 2)), () => res.destroy());
          return;
        }
        res.end(slice);
        return;
      }
      const m = /^\/(.+?\/.+?)\/resolve\/main\/(.+)$/.exec(url);
      const local = m && REPOS[m[1]!] ? path.join(fixture, REPOS[m[1]!]!, m[2]!) : null;
      const body = local ? await readFile(local).catch(() => null) : null;
      if (!body) { res.writeHead(404).end(); return; }
      if (local!.endsWith('.safetensors')) {
        const sha = createHash('sha256').update(body).digest('hex');
        blobs.set(sha, local!);
        const claimed = behaviour.wrongSha.has(path.basename(local!)) ? 'f'.repeat(64) : sha;
        res.writeHead(302, { location: `${behaviour.cdnOrigin}/cdn/${sha}`, 'x-linked-etag': `"${claimed}"`, 'x-linked-size': String(body.length), etag: `"${claimed}"` }).end();
        return;
      }
      res.writeHead(200, { 'content-length': body.length, etag: `"${createHash('sha1').update(body).digest('hex')}"` });
      res.end(req.method === 'HEAD' ? undefined : body);
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const defaultManifest = JSON.parse(await readFile(path.join(REPO_MODELS_DIR, 'framepack-tiny', 'manifest.json'), 'utf8')) as Manifest;
const base = (over: Partial<Parameters<typeof pullModel>[0]> = {}) => ({
  name: 'framepack-i2v', endpoint, preset: 'tiny' as const, bundleName: 'framepack-tiny', definitions: componentDefinitions, token: '', ...over,
});

describe('models pull', () => {
  it('builds resolve URLs', () => {
    expect(resolveUrl('https://hf.example/', 'org/repo', 'main', 'vae/config.json')).toBe('https://hf.example/org/repo/resolve/main/vae/config.json');
  });

  it('downloads, resumes a connection cut midway, verifies sha256 and imports', async () => {
    behaviour.cutOnce.add(SHARD);
    log.length = 0;
    const models = path.join(tmp, 'models-a');
    let progressEvents = 0;
    const r = await pullModel(base({ modelsDir: models, onDownload: () => { progressEvents++; } }));
    const shard = r.files.find((f) => f.path === SHARD)!;
    expect(shard).toMatchObject({ verified: 'sha256', resumed: true });
    expect(r.files.find((f) => f.path === 'vae/config.json')?.verified).toBe('size');
    const ranges = log.filter((l) => l.url.startsWith('/cdn/') && l.range);
    expect(ranges).toHaveLength(1);
    expect(Number(/bytes=(\d+)-/.exec(ranges[0]!.range!)![1])).toBeGreaterThan(0);
    expect(progressEvents).toBeGreaterThan(0);
    // Same-host redirects are followed with HEAD (the CDN of a real hub would be another host).
    expect(log.some((l) => l.method === 'HEAD' && l.url.startsWith('/cdn/'))).toBe(true);
    expect(r.import.manifest.components.transformer.files).toEqual(defaultManifest.components.transformer.files);
    await loadBundle(r.import.dir, { verify: 'full' });
    // Downloads are removed after a successful import unless kept.
    await expect(stat(r.downloadDir)).rejects.toThrow();
  });

  it('an LFS redirect to another host (a CDN) is fetched with GET only, never HEAD', async () => {
    behaviour.cdnOrigin = endpoint.replace('127.0.0.1', 'localhost');
    log.length = 0;
    try {
      const r = await pullModel(base({ modelsDir: path.join(tmp, 'models-e') }));
      expect(r.files.find((f) => f.path === SHARD)?.verified).toBe('sha256');
      expect(log.filter((l) => l.url.startsWith('/cdn/')).map((l) => l.method)).toEqual(Array(6).fill('GET')) // 2 transformer shards + 4 encoders;
    } finally {
      behaviour.cdnOrigin = '';
    }
  });

  it('a pull that dies mid-file keeps the .part, and the next pull resumes it with a Range request', async () => {
    behaviour.cutOnce.add(SHARD);
    const models = path.join(tmp, 'models-b');
    const err = await pullModel(base({ modelsDir: models, retries: 0 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as Error).message).toMatch(/partial download kept/);
    const part = path.join(models, '.downloads', 'framepack-i2v', 'FramePackI2V_HY', `${SHARD}.part`);
    const partBytes = (await stat(part)).size;
    expect(partBytes).toBeGreaterThan(0);
    log.length = 0;
    const r = await pullModel(base({ modelsDir: models, retries: 0, keepDownload: true }));
    expect(log.filter((l) => l.range).map((l) => l.range)).toEqual([`bytes=${partBytes}-`]);
    // Files already complete from the first pull are not fetched again (HEAD only).
    expect(log.filter((l) => l.method === 'GET' && l.url === '/lllyasviel/FramePackI2V_HY/resolve/main/config.json')).toHaveLength(0);
    expect(log.filter((l) => l.method === 'HEAD' && l.url === '/lllyasviel/FramePackI2V_HY/resolve/main/config.json')).toHaveLength(1);
    expect(r.files.find((f) => f.path === SHARD)?.resumed).toBe(true);
    await loadBundle(r.import.dir, { verify: 'full' });
  });

  it('refuses a file whose sha256 does not match (server header or hash manifest)', async () => {
    behaviour.wrongSha.add('model.safetensors');
    const models = path.join(tmp, 'models-c');
    await expect(pullModel(base({ modelsDir: models }))).rejects.toThrow(/model\.safetensors: sha256 [0-9a-f]{64} does not match the expected f{64}/);
    behaviour.wrongSha.clear();
    const hashes = { 'hunyuanvideo-community/HunyuanVideo/vae/config.json': '0'.repeat(64) };
    await expect(pullModel(base({ modelsDir: path.join(tmp, 'models-d'), hashes }))).rejects.toThrow(/config\.json: sha256 .* does not match/);
  });

  it('names unknown models and refuses bf16 before downloading', async () => {
    await expect(pullModel(base({ name: 'nope' }))).rejects.toThrow(/unknown model 'nope' \(known: framepack-i2v, framepack-f1\)/);
    log.length = 0;
    await expect(pullModel(base({ dtype: 'bf16' }))).rejects.toThrow(/bf16/);
    expect(log).toHaveLength(0);
  });
});
