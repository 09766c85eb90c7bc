// The installed bundles: every folder with a manifest.json in the model search folders
// ($FRAMEPACK_MODELS_DIR, then the repository's models/, which holds the default bundle), with
// sizes; verification through loadBundle; and removal, which takes the manifest away first so a
// half-removed folder never passes for a bundle. The committed default bundle is never removed.
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_MODEL, REPO_MODELS_DIR, modelSearchDirs } from '../../engine/pipeline/model-location.js';
import { BundleError } from '../bundle/bundle-error.js';
import { loadBundle, readManifest, type LoadedBundle, type VerifyMode } from '../bundle/load-bundle.js';
import { MANIFEST_FILE, type Manifest } from '../bundle/manifest.js';

export interface InstalledBundle {
  name: string;
  dir: string;
  /** The repository's committed default bundle. */
  isDefault: boolean;
  /** Shadowed by a bundle of the same name in an earlier search folder. */
  shadowed: boolean;
  /** Bytes of the files the manifest lists, or null when the manifest is unreadable. */
  listedBytes: number | null;
  /** Bytes on disk under the folder (everything, listed or not). */
  diskBytes: number;
  manifest: Manifest | null;
  /** Why the manifest could not be read. */
  error: string | null;
}

/** Where `models import` / `models pull` install: $FRAMEPACK_MODELS_DIR, else the repository's models/. */
export function installModelsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.FRAMEPACK_MODELS_DIR ? path.resolve(env.FRAMEPACK_MODELS_DIR) : REPO_MODELS_DIR;
}

export async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += await folderBytes(p);
    else if (e.isFile()) total += (await stat(p)).size;
  }
  return total;
}

export async function listInstalled(env: NodeJS.ProcessEnv = process.env): Promise<InstalledBundle[]> {
  const seen = new Set<string>();
  const out: InstalledBundle[] = [];
  for (const root of modelSearchDirs(env)) {
    const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
    for (const e of entries.filter((x) => x.isDirectory() && !x.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name))) {
      const dir = path.join(root, e.name);
      if (!(await stat(path.join(dir, MANIFEST_FILE)).then((s) => s.isFile(), () => false))) continue;
      let manifest: Manifest | null = null;
      let error: string | null = null;
      try { manifest = await readManifest(dir); } catch (err: unknown) { error = err instanceof Error ? err.message.split('\n').slice(0, 3).join(' ') : String(err); }
      const listedBytes = manifest ? Object.values(manifest.components).flatMap((c) => c.files).reduce((a, f) => a + f.bytes, 0) : null;
      out.push({
        name: e.name, dir, isDefault: e.name === DEFAULT_MODEL && path.resolve(root) === REPO_MODELS_DIR,
        shadowed: seen.has(e.name), listedBytes, diskBytes: await folderBytes(dir), manifest, error,
      });
      seen.add(e.name);
    }
  }
  return out;
}

/** The bundle `name` (first in search order), or a bundle folder given as a path. */
export async function findInstalled(nameOrDir: string, env: NodeJS.ProcessEnv = process.env): Promise<InstalledBundle | null> {
  const all = await listInstalled(env);
  const byName = all.find((b) => b.name === nameOrDir && !b.shadowed);
  if (byName) return byName;
  const abs = path.resolve(nameOrDir);
  return all.find((b) => b.dir === abs) ?? null;
}

export type VerifyOutcome =
  | { ok: true; bundle: LoadedBundle; seconds: number }
  | { ok: false; code: BundleError['code'] | 'ERROR'; file: string | null; message: string; seconds: number };

export async function verifyInstalled(dir: string, mode: VerifyMode = 'cached', onHash?: (file: string, bytes: number) => void): Promise<VerifyOutcome> {
  const started = performance.now();
  try {
    const bundle = await loadBundle(dir, { verify: mode, ...(onHash ? { onHash } : {}) });
    return { ok: true, bundle, seconds: (performance.now() - started) / 1000 };
  } catch (err: unknown) {
    const seconds = (performance.now() - started) / 1000;
    if (err instanceof BundleError) return { ok: false, code: err.code, file: err.file ?? null, message: err.message.split('\n')[0]!, seconds };
    return { ok: false, code: 'ERROR', file: null, message: err instanceof Error ? err.message.split('\n')[0]! : String(err), seconds };
  }
}

export class RemoveRefusedError extends Error { override readonly name = 'RemoveRefusedError'; }

/** Removes an installed bundle by name; refuses the committed default bundle. Returns what was removed. */
export async function removeInstalled(name: string, env: NodeJS.ProcessEnv = process.env): Promise<InstalledBundle> {
  const b = await findInstalled(name, env);
  if (!b) throw new RemoveRefusedError(`'${name}' is not an installed bundle (see \`framepack models ls\`)`);
  if (b.isDefault) throw new RemoveRefusedError(`'${name}' is the default bundle that ships with framepack; it is not removable`);
  await rm(path.join(b.dir, MANIFEST_FILE), { force: true });
  await rm(b.dir, { recursive: true, force: true });
  return b;
}
