// Where the official FramePack weights are under a folder, in the layouts people have them:
//   DIR/FramePackI2V_HY/                     (or FramePack_F1_I2V_HY_20250503/) transformer: config.json + shards + index
//   DIR/HunyuanVideo/{vae,text_encoder,text_encoder_2,tokenizer,tokenizer_2}/
//   DIR/flux_redux_bfl/image_encoder/
// each also accepted as a Hugging Face cache entry (DIR[/hub]/models--<org>--<repo>/snapshots/<rev>/,
// what the official app's hf_download folder holds), and the HunyuanVideo / flux_redux_bfl
// sub-folders also directly under DIR. The transformer is recognised by its config
// (has_clean_x_embedder), never by HunyuanVideo's own transformer/ folder.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ModelComponentId } from '../bundle/manifest.js';

export interface OfficialLayout {
  components: Record<ModelComponentId, string>;
  tokenizer: string;
  tokenizer2: string;
  /** 'f1' when the transformer folder is FramePack-F1's. */
  variant: 'inverted' | 'f1';
}

export class LayoutError extends Error { override readonly name = 'LayoutError'; }

const isDir = (p: string) => stat(p).then((s) => s.isDirectory(), () => false);
const isFile = (p: string) => stat(p).then((s) => s.isFile(), () => false);

/** Snapshot folders of a Hugging Face cache entry for `repo` ('org/name') under `root`. */
async function hfSnapshots(root: string, repo: string): Promise<string[]> {
  const out: string[] = [];
  for (const base of [root, path.join(root, 'hub')]) {
    const snaps = path.join(base, `models--${repo.replace('/', '--')}`, 'snapshots');
    for (const rev of (await readdir(snaps).catch(() => [])).sort()) out.push(path.join(snaps, rev));
  }
  return out;
}

async function readJson(p: string): Promise<Record<string, unknown> | null> {
  try { return JSON.parse(await readFile(p, 'utf8')) as Record<string, unknown>; } catch { return null; }
}

async function isPackedTransformer(dir: string): Promise<boolean> {
  const c = await readJson(path.join(dir, 'config.json'));
  return c?.has_clean_x_embedder === true || c?._class_name === 'HunyuanVideoTransformer3DModelPacked';
}

async function first(candidates: string[], test: (p: string) => Promise<boolean>): Promise<string | undefined> {
  for (const c of candidates) if (await test(c)) return c;
  return undefined;
}

export async function locateOfficialLayout(root: string): Promise<OfficialLayout> {
  const dir = path.resolve(root);
  if (!(await isDir(dir))) throw new LayoutError(`${dir}: no such folder`);
  const missing: string[] = [];

  const f1 = ['FramePack_F1_I2V_HY_20250503', 'FramePack_F1_I2V_HY'];
  const transformerCandidates = [
    path.join(dir, 'FramePackI2V_HY'), ...(await hfSnapshots(dir, 'lllyasviel/FramePackI2V_HY')),
    ...f1.map((n) => path.join(dir, n)), ...(await hfSnapshots(dir, 'lllyasviel/FramePack_F1_I2V_HY_20250503')),
    path.join(dir, 'transformer'), dir,
  ];
  const transformer = await first(transformerCandidates, isPackedTransformer);
  if (!transformer) missing.push(`transformer: a folder with FramePack's config.json (has_clean_x_embedder: true) and its safetensors shards, e.g. ${path.join(dir, 'FramePackI2V_HY')}`);

  const hunyuanRoots = [path.join(dir, 'HunyuanVideo'), ...(await hfSnapshots(dir, 'hunyuanvideo-community/HunyuanVideo')), dir];
  const sub = async (name: string, roots: string[], need: string) => {
    const found = await first(roots.map((r) => path.join(r, name)), async (p) => isFile(path.join(p, need)));
    if (!found) missing.push(`${name}: ${need} in one of ${roots.map((r) => path.join(r, name)).join(', ')}`);
    return found ?? '';
  };
  const vae = await sub('vae', hunyuanRoots, 'config.json');
  const textEncoder = await sub('text_encoder', hunyuanRoots, 'config.json');
  const textEncoder2 = await sub('text_encoder_2', hunyuanRoots, 'config.json');
  const tokenizer = await sub('tokenizer', hunyuanRoots, 'tokenizer.json');
  // The CLIP tokenizer ships as vocab.json + merges.txt (no tokenizer.json) in HunyuanVideo.
  const tokenizer2 = await sub('tokenizer_2', hunyuanRoots, 'vocab.json').then(async (p) => {
    if (p) return p;
    const alt = await first(hunyuanRoots.map((r) => path.join(r, 'tokenizer_2')), async (q) => isFile(path.join(q, 'tokenizer.json')));
    if (alt) missing.pop();
    return alt ?? '';
  });
  const reduxRoots = [path.join(dir, 'flux_redux_bfl'), ...(await hfSnapshots(dir, 'lllyasviel/flux_redux_bfl')), dir];
  const imageEncoder = await sub('image_encoder', reduxRoots, 'config.json');

  if (missing.length) throw new LayoutError(`${dir} is missing parts of the official FramePack weights:\n  ${missing.join('\n  ')}`);
  return {
    components: { transformer: transformer!, vae, text_encoder: textEncoder, text_encoder_2: textEncoder2, image_encoder: imageEncoder },
    tokenizer, tokenizer2,
    variant: /F1/i.test(path.basename(transformer!)) || /FramePack_F1/.test(transformer!) ? 'f1' : 'inverted',
  };
}
