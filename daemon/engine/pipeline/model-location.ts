// Finds a model bundle by name or path: `--model NAME` looks in $FRAMEPACK_MODELS_DIR, then the
// repository's models/ folder; anything with a path separator (or an existing folder) is used as
// the bundle folder itself. The default is the tiny bundle that ships with the repository.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { MANIFEST_FILE } from '../../models/bundle/manifest.js';

export const DEFAULT_MODEL = 'framepack-tiny';
/** The repository's models/ folder. */
export const REPO_MODELS_DIR = path.resolve(import.meta.dirname, '../../../models');

export class UnknownModelError extends Error {
  override readonly name = 'UnknownModelError';
  constructor(readonly model: string, readonly available: string[], where: string[]) {
    super(`'${model}' is not a known model bundle (no manifest.json in ${where.join(' or ')}${available.length ? `; available: ${available.join(', ')}` : ''})`);
  }
}

export function modelSearchDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  return [...(env.FRAMEPACK_MODELS_DIR ? [path.resolve(env.FRAMEPACK_MODELS_DIR)] : []), REPO_MODELS_DIR];
}

async function isBundle(dir: string): Promise<boolean> {
  return stat(path.join(dir, MANIFEST_FILE)).then((s) => s.isFile(), () => false);
}

/** Bundle names (folders holding a manifest.json) in the search folders. */
export async function listModels(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const names = new Set<string>();
  for (const dir of modelSearchDirs(env)) {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (entry.isDirectory() && (await isBundle(path.join(dir, entry.name)))) names.add(entry.name);
    }
  }
  return [...names].sort();
}

/** The bundle folder for `--model`; throws UnknownModelError naming what was searched. */
export async function resolveModelDir(model: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const looksLikePath = model.includes('/') || model.includes(path.sep) || model.startsWith('.');
  const candidates = looksLikePath ? [path.resolve(model)] : modelSearchDirs(env).map((d) => path.join(d, model));
  for (const dir of candidates) if (await isBundle(dir)) return dir;
  throw new UnknownModelError(model, looksLikePath ? [] : await listModels(env), candidates);
}
