// manifest.json read, JSON-parsed and schema-checked once per file version (path, size, mtime)
// instead of on every submit and job start (the memory check reads it both times; issue 19).
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { readManifest } from './load-bundle.js';
import { MANIFEST_FILE, type Manifest } from './manifest.js';

export class ManifestCache {
  private readonly kept = new Map<string, { size: number; mtimeMs: number; manifest: Manifest }>();
  private parseCount = 0;

  /** The manifest of the bundle in `dir`; parsed again only when the file changed. */
  async read(dir: string): Promise<Manifest> {
    const file = path.join(dir, MANIFEST_FILE);
    const st = await stat(file).catch(() => null);
    const hit = st ? this.kept.get(file) : undefined;
    if (st && hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return hit.manifest;
    this.parseCount++;
    // readManifest gives the clear errors (no file, bad JSON, bad fields).
    const manifest = await readManifest(dir);
    if (st) this.kept.set(file, { size: st.size, mtimeMs: st.mtimeMs, manifest });
    return manifest;
  }

  get parses(): number {
    return this.parseCount;
  }
}
