// Streaming sha256 of bundle files, and a small JSON cache of hashes already verified, keyed by
// absolute path + size + mtime, so a multi-GB bundle is hashed once, not at every daemon start.
// A file rewritten within the same mtime tick with the same size would escape the cache; 'full'
// verification exists for that paranoia.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const CACHE_VERSION = 1;

/** Lower-case hex sha256 of a file, read in chunks (never the whole file in memory). */
export async function sha256File(filePath: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(filePath, { highWaterMark: 4 * 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** $XDG_CACHE_HOME/framepack/verified.json, else ~/.cache/framepack/verified.json. */
export function defaultVerifyCacheFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(base, 'framepack', 'verified.json');
}

interface CacheEntry { bytes: number; mtimeMs: number; sha256: string }

export class VerifyCache {
  private dirty = false;
  private constructor(readonly file: string, private readonly entries: Map<string, CacheEntry>) {}

  /** Loads the cache; a missing or unreadable cache file is an empty cache, never an error. */
  static async open(file: string): Promise<VerifyCache> {
    const entries = new Map<string, CacheEntry>();
    try {
      const raw = JSON.parse(await readFile(file, 'utf8')) as { version?: number; entries?: Record<string, CacheEntry> };
      if (raw.version === CACHE_VERSION && raw.entries && typeof raw.entries === 'object') {
        for (const [k, e] of Object.entries(raw.entries)) {
          if (e && typeof e.bytes === 'number' && typeof e.mtimeMs === 'number' && typeof e.sha256 === 'string') entries.set(k, e);
        }
      }
    } catch { /* no cache yet, or corrupt: start empty */ }
    return new VerifyCache(file, entries);
  }

  /** The sha256 recorded for this exact path, size and mtime, if any. */
  lookup(absPath: string, bytes: number, mtimeMs: number): string | undefined {
    const e = this.entries.get(absPath);
    return e && e.bytes === bytes && e.mtimeMs === mtimeMs ? e.sha256 : undefined;
  }

  record(absPath: string, bytes: number, mtimeMs: number, sha256: string): void {
    this.entries.set(absPath, { bytes, mtimeMs, sha256 });
    this.dirty = true;
  }

  forget(absPath: string): void {
    if (this.entries.delete(absPath)) this.dirty = true;
  }

  /** Writes the cache atomically (temp file + rename) if anything changed. Failures are ignored:
   *  the cache only saves time, and a read-only home must not stop the daemon. */
  async save(): Promise<void> {
    if (!this.dirty) return;
    try {
      await mkdir(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify({ version: CACHE_VERSION, entries: Object.fromEntries(this.entries) }));
      await rename(tmp, this.file);
      this.dirty = false;
    } catch { /* see above */ }
  }
}
