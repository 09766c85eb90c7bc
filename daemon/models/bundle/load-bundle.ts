// Opens a model bundle: reads and validates manifest.json, checks that every listed file exists
// with its exact size, verifies sha256s (streaming; remembered by path + size + mtime), and
// returns absolute paths per component. A missing, truncated or altered file is refused with a
// BundleError naming the file and what was expected.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { BundleError } from './bundle-error.js';
import { BUNDLE_COMPONENT_IDS, MANIFEST_FILE, describeManifestIssues, manifestSchema, type BundleComponentId, type FileEntry, type Manifest } from './manifest.js';
import { VerifyCache, defaultVerifyCacheFile, sha256File } from './verify-cache.js';

export type VerifyMode =
  | 'full' // hash every file now
  | 'cached' // hash files whose path/size/mtime are not in the verified cache
  | 'none'; // existence and size only

export interface LoadBundleOptions {
  verify?: VerifyMode;
  /** Where verified hashes are remembered (default: defaultVerifyCacheFile()). */
  cacheFile?: string;
  /** Called before each file is hashed (progress for multi-GB bundles). */
  onHash?: (file: string, bytes: number) => void;
}

export interface ResolvedComponent {
  /** Absolute path per listed file, keyed by its manifest path. */
  files: Record<string, string>;
  /** Absolute .onnx path per graph stem (model components only; empty for tokenizers). */
  graphs: Record<string, string>;
}

export interface VerificationReport {
  mode: VerifyMode;
  filesChecked: number;
  filesHashed: number;
  filesFromCache: number;
  bytesHashed: number;
}

export interface LoadedBundle {
  dir: string;
  manifest: Manifest;
  components: Record<BundleComponentId, ResolvedComponent>;
  verification: VerificationReport;
}

/** Parses manifest JSON text; every problem is reported with its field path. */
export function parseManifest(text: string, source = MANIFEST_FILE): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err: unknown) {
    throw new BundleError('INVALID_MANIFEST', `${source}: not valid JSON (${err instanceof Error ? err.message : String(err)})`, MANIFEST_FILE);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = describeManifestIssues(parsed.error);
    throw new BundleError('INVALID_MANIFEST', `${source}: invalid manifest:\n  ${lines.slice(0, 20).join('\n  ')}${lines.length > 20 ? `\n  … and ${lines.length - 20} more` : ''}`, MANIFEST_FILE);
  }
  return parsed.data;
}

export async function readManifest(dir: string): Promise<Manifest> {
  const file = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new BundleError('MISSING_FILE', `${file}: no manifest.json; is ${dir} a model bundle?`, MANIFEST_FILE);
    throw err;
  }
  return parseManifest(text, file);
}

export async function loadBundle(dir: string, opts: LoadBundleOptions = {}): Promise<LoadedBundle> {
  const mode = opts.verify ?? 'cached';
  const root = path.resolve(dir);
  const manifest = await readManifest(root);
  const cache = mode === 'cached' ? await VerifyCache.open(opts.cacheFile ?? defaultVerifyCacheFile()) : undefined;
  const report: VerificationReport = { mode, filesChecked: 0, filesHashed: 0, filesFromCache: 0, bytesHashed: 0 };
  const components = {} as Record<BundleComponentId, ResolvedComponent>;
  try {
    for (const id of BUNDLE_COMPONENT_IDS) {
      const c = manifest.components[id];
      const files: Record<string, string> = {};
      for (const entry of c.files) {
        files[entry.path] = await verifyFile(root, entry, mode, cache, report, opts.onHash);
      }
      const graphs: Record<string, string> = {};
      if (c.kind === 'model') for (const [stem, g] of Object.entries(c.graphs)) graphs[stem] = files[g.file]!;
      components[id] = { files, graphs };
    }
  } finally {
    await cache?.save();
  }
  return { dir: root, manifest, components, verification: report };
}

async function verifyFile(root: string, entry: FileEntry, mode: VerifyMode, cache: VerifyCache | undefined, report: VerificationReport, onHash?: (file: string, bytes: number) => void): Promise<string> {
  const abs = path.join(root, ...entry.path.split('/'));
  let st;
  try {
    st = await stat(abs);
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new BundleError('MISSING_FILE', `${entry.path}: missing from bundle ${root} (expected ${entry.bytes} bytes)`, entry.path);
    throw err;
  }
  report.filesChecked++;
  if (!st.isFile()) throw new BundleError('MISSING_FILE', `${entry.path}: not a regular file in bundle ${root}`, entry.path);
  if (st.size < entry.bytes) {
    cache?.forget(abs);
    throw new BundleError('TRUNCATED', `${entry.path}: truncated: ${st.size} bytes, expected ${entry.bytes} (bundle ${root})`, entry.path);
  }
  if (st.size > entry.bytes) {
    cache?.forget(abs);
    throw new BundleError('SIZE_MISMATCH', `${entry.path}: ${st.size} bytes, expected ${entry.bytes} (bundle ${root})`, entry.path);
  }
  if (mode === 'none') return abs;
  let actual = cache?.lookup(abs, st.size, st.mtimeMs);
  if (actual !== undefined) {
    report.filesFromCache++;
  } else {
    onHash?.(entry.path, st.size);
    actual = await sha256File(abs);
    report.filesHashed++;
    report.bytesHashed += st.size;
    // Record what the file *is*, even when it is wrong: an unchanged bad file stays bad.
    cache?.record(abs, st.size, st.mtimeMs, actual);
  }
  if (actual !== entry.sha256) {
    throw new BundleError('HASH_MISMATCH', `${entry.path}: sha256 ${actual} does not match the manifest's ${entry.sha256}; the file was modified or corrupted (bundle ${root})`, entry.path);
  }
  return abs;
}
