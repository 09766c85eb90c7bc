// `framepack models pull NAME`: downloads the official weights of a catalog entry from a Hugging
// Face-compatible endpoint into the official folder layout (download.ts: resumable, sha256
// verified), then imports them (import.ts). Which files: each weights folder's config.json, then
// its `<stem>.safetensors.index.json` and the shards it names, or else the single
// `<stem>.safetensors`; tokenizer folders list their files. The endpoint is --endpoint, else
// $FRAMEPACK_HF_ENDPOINT, else $HF_ENDPOINT, else https://huggingface.co.
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ComponentDefinitions } from '../bundle/bundle-config.js';
import { downloadFile, type DownloadProgress, type DownloadResult } from './download.js';
import { importOfficial, weightDtypeFor, type ImportDtype, type ImportProgress, type ImportResult } from './import.js';
import { installModelsDir } from './models-dir.js';

interface WeightsFolder { kind: 'weights'; path: string; stem: string }
interface FilesFolder { kind: 'files'; path: string; files: string[]; optional?: string[] }
interface Source { repo: string; into: string; folders: (WeightsFolder | FilesFolder)[] }
export interface CatalogEntry { description: string; sources: Source[] }

const hunyuan: Source = {
  repo: 'hunyuanvideo-community/HunyuanVideo', into: 'HunyuanVideo',
  folders: [
    { kind: 'weights', path: 'vae', stem: 'diffusion_pytorch_model' },
    { kind: 'weights', path: 'text_encoder', stem: 'model' },
    { kind: 'weights', path: 'text_encoder_2', stem: 'model' },
    { kind: 'files', path: 'tokenizer', files: ['tokenizer.json'], optional: ['tokenizer_config.json', 'special_tokens_map.json'] },
    { kind: 'files', path: 'tokenizer_2', files: ['vocab.json', 'merges.txt'], optional: ['tokenizer_config.json', 'special_tokens_map.json', 'tokenizer.json'] },
  ],
};
const redux: Source = { repo: 'lllyasviel/flux_redux_bfl', into: 'flux_redux_bfl', folders: [{ kind: 'weights', path: 'image_encoder', stem: 'model' }] };

export const PULL_CATALOG: Record<string, CatalogEntry> = {
  'framepack-i2v': {
    description: 'FramePackI2V_HY (inverted anti-drifting) with HunyuanVideo VAE/text encoders and the SigLIP image encoder of flux_redux_bfl',
    sources: [{ repo: 'lllyasviel/FramePackI2V_HY', into: 'FramePackI2V_HY', folders: [{ kind: 'weights', path: '', stem: 'diffusion_pytorch_model' }] }, hunyuan, redux],
  },
  'framepack-f1': {
    description: 'FramePack_F1_I2V_HY_20250503 (forward) with the same encoders',
    sources: [{ repo: 'lllyasviel/FramePack_F1_I2V_HY_20250503', into: 'FramePack_F1_I2V_HY_20250503', folders: [{ kind: 'weights', path: '', stem: 'diffusion_pytorch_model' }] }, hunyuan, redux],
  },
};

export const DEFAULT_ENDPOINT = 'https://huggingface.co';
export function hfEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  return (env.FRAMEPACK_HF_ENDPOINT || env.HF_ENDPOINT || DEFAULT_ENDPOINT).replace(/\/+$/, '');
}

export function resolveUrl(endpoint: string, repo: string, revision: string, file: string): string {
  return `${endpoint.replace(/\/+$/, '')}/${repo}/resolve/${encodeURIComponent(revision)}/${file.split('/').map(encodeURIComponent).join('/')}`;
}

export interface PullOptions {
  name: string;
  endpoint?: string;
  revision?: string;
  dtype?: ImportDtype;
  /** Installed bundle name (default: NAME-<dtype>). */
  bundleName?: string;
  modelsDir?: string;
  /** Where the official files are downloaded (default <modelsDir>/.downloads/NAME). */
  downloadDir?: string;
  keepDownload?: boolean;
  /** Expected sha256 per '<repo>/<path>' (a hash manifest); else the server's X-Linked-Etag. */
  hashes?: Record<string, string>;
  token?: string;
  retries?: number;
  preset?: 'full' | 'tiny';
  catalog?: Record<string, CatalogEntry>;
  definitions?: ComponentDefinitions;
  onDownload?: (p: DownloadProgress & { repo: string; path: string }) => void;
  onFileDone?: (r: DownloadResult & { repo: string; path: string }) => void;
  onImport?: (p: ImportProgress) => void;
  signal?: AbortSignal;
}

export class PullError extends Error { override readonly name = 'PullError'; }

export interface PullResult { import: ImportResult; files: (DownloadResult & { repo: string; path: string })[]; downloadDir: string }

export async function pullModel(opts: PullOptions): Promise<PullResult> {
  const catalog = opts.catalog ?? PULL_CATALOG;
  const entry = catalog[opts.name];
  if (!entry) throw new PullError(`unknown model '${opts.name}' (known: ${Object.keys(catalog).join(', ')})`);
  const dtype = opts.dtype ?? 'fp32';
  weightDtypeFor(dtype); // refuse bf16 before downloading tens of GB
  const endpoint = (opts.endpoint ?? hfEndpoint()).replace(/\/+$/, '');
  const revision = opts.revision ?? 'main';
  const modelsDir = path.resolve(opts.modelsDir ?? installModelsDir());
  const downloadDir = path.resolve(opts.downloadDir ?? path.join(modelsDir, '.downloads', opts.name));
  const files: PullResult['files'] = [];

  const get = async (src: Source, rel: string, optional: boolean): Promise<DownloadResult | null> => {
    const r = await downloadFile({
      url: resolveUrl(endpoint, src.repo, revision, rel), dest: path.join(downloadDir, src.into, ...rel.split('/')), optional,
      ...(opts.hashes?.[`${src.repo}/${rel}`] ? { sha256: opts.hashes[`${src.repo}/${rel}`] } : {}),
      ...(opts.token ?? process.env.HF_TOKEN ? { token: opts.token ?? process.env.HF_TOKEN } : {}),
      ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      onProgress: (p) => opts.onDownload?.({ ...p, repo: src.repo, path: rel }),
    });
    if (r) { files.push({ ...r, repo: src.repo, path: rel }); opts.onFileDone?.({ ...r, repo: src.repo, path: rel }); }
    return r;
  };
  const join = (dir: string, name: string) => (dir ? `${dir}/${name}` : name);

  for (const src of entry.sources) {
    for (const folder of src.folders) {
      if (folder.kind === 'files') {
        for (const f of folder.files) await get(src, join(folder.path, f), false);
        for (const f of folder.optional ?? []) await get(src, join(folder.path, f), true);
        continue;
      }
      await get(src, join(folder.path, 'config.json'), false);
      const index = await get(src, join(folder.path, `${folder.stem}.safetensors.index.json`), true);
      if (index) {
        const map = (JSON.parse(await readFile(index.path, 'utf8')) as { weight_map?: Record<string, string> }).weight_map;
        if (!map) throw new PullError(`${src.repo}/${join(folder.path, `${folder.stem}.safetensors.index.json`)}: no weight_map`);
        for (const shard of [...new Set(Object.values(map))].sort()) await get(src, join(folder.path, shard), false);
      } else {
        await get(src, join(folder.path, `${folder.stem}.safetensors`), false);
      }
    }
  }
  const imported = await importOfficial({
    from: downloadDir, dtype, name: opts.bundleName ?? `${opts.name}-${dtype}`, modelsDir,
    ...(opts.preset ? { preset: opts.preset } : {}), ...(opts.definitions ? { definitions: opts.definitions } : {}),
    ...(opts.onImport ? { onProgress: opts.onImport } : {}),
  });
  if (!opts.keepDownload) await rm(downloadDir, { recursive: true, force: true });
  return { import: imported, files, downloadDir };
}
