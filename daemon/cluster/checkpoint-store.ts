// Section checkpoints where every worker can read them: in Redis, per job. The job runner saves a
// checkpoint in the worker's own job folder after each section (jobs/job-journal.ts, the engine's
// own format: daemon/engine/pipeline/checkpoint-files.ts); this store copies it into Redis — the
// record, plus the files in the job folder it names (latent history, the held pixels and the
// final-frame chunks) — and another worker that picks the job up after a crash writes them into ITS
// job folder and resumes from there. The record names its files by absolute path; those paths are
// re-rooted from one job folder to the other (whatever engine wrote them). A file the previous
// checkpoint already copied unchanged (same name, size and mtime: the final-frame chunks, written
// once each) keeps its blob, so each section uploads only what it wrote, not the whole video again.
// The new blobs go first and the `head` record naming them last, so a worker killed mid-upload
// leaves the previous section's checkpoint whole. A checkpoint over `maxBytes` (the chunks grow with
// the video) is not copied: a job resumed elsewhere then starts from the last one that was, or
// over — with the same seed, the same video, only later.
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SectionCheckpoint } from '../engine/engine.js';
import { BlobStore } from './blob-store.js';
import { ownKey, type RedisClient } from './connection.js';

/** Largest checkpoint copied to Redis (record + files), bytes. */
export const DEFAULT_MAX_CHECKPOINT_BYTES = 512 * 1024 * 1024;
const JOB_DIR_TOKEN = '${jobDir}';

/** Every string in `value` that is a path inside `dir` (what a checkpoint record names there). */
export function pathsInside(value: unknown, dir: string): string[] {
  const root = path.resolve(dir) + path.sep;
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      if (v.startsWith(root) && !v.slice(root.length).includes(path.sep)) out.add(v);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return [...out];
}

/** `value` with every path inside `from` moved to `to` (the same file name). */
export function reroot<T>(value: T, from: string, to: string): T {
  // `from` is a job folder, or the placeholder a stored record uses (not a path to resolve).
  const root = (path.isAbsolute(from) ? path.resolve(from) : from) + path.sep;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.startsWith(root) && !v.slice(root.length).includes(path.sep) ? path.join(to, v.slice(root.length)) : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** One job-folder file of a copied checkpoint. */
interface StoredFile {
  name: string;
  /** `<size>-<mtime ms>` when it was copied: an unchanged file is not copied again. */
  version: string;
  /** Its blob (named after the section that first copied this version). */
  blob: string;
}

interface Head {
  sectionsDone: number;
  /** The record with its job-folder paths as `${jobDir}/<name>`. */
  record: SectionCheckpoint;
  files: StoredFile[];
  worker: string;
}

export class CheckpointStore {
  private readonly blobs: BlobStore;

  constructor(private readonly redis: RedisClient, private readonly maxBytes = DEFAULT_MAX_CHECKPOINT_BYTES) {
    this.blobs = new BlobStore(redis);
  }

  private headKey(jobId: string): string {
    return ownKey('checkpoint', jobId, 'head');
  }

  private blobName(jobId: string, sections: number, file: string): string {
    return `checkpoint:${jobId}:${sections}:${file}`;
  }

  /** Copies the checkpoint a worker just saved in `jobDir`; returns the bytes it names, or null when it was too large. */
  async save(jobId: string, c: SectionCheckpoint, jobDir: string, worker: string): Promise<number | null> {
    const paths = pathsInside(c.state, jobDir);
    const stats = await Promise.all(paths.map((f) => stat(f)));
    const bytes = stats.reduce((n, st) => n + st.size, 0);
    if (bytes > this.maxBytes) return null;
    const previous = await this.head(jobId);
    const copied = new Map((previous?.files ?? []).map((f) => [f.name, f]));
    const files: StoredFile[] = [];
    for (const [i, file] of paths.entries()) {
      const name = path.basename(file);
      const version = `${stats[i]!.size}-${Math.round(stats[i]!.mtimeMs)}`;
      const old = copied.get(name);
      if (old?.version === version) {
        files.push(old);
        continue;
      }
      const blob = this.blobName(jobId, c.sectionsDone, name);
      await this.blobs.put(blob, await readFile(file));
      files.push({ name, version, blob });
    }
    const head: Head = { sectionsDone: c.sectionsDone, record: reroot(c, jobDir, JOB_DIR_TOKEN), files, worker };
    await this.redis.set(this.headKey(jobId), JSON.stringify(head), 'EX', 7 * 24 * 3600);
    if (previous) {
      const kept = new Set(files.map((f) => f.blob));
      await this.dropFiles(previous.files.filter((f) => !kept.has(f.blob)));
    }
    return bytes;
  }

  private async head(jobId: string): Promise<Head | null> {
    const text = await this.redis.get(this.headKey(jobId));
    return text ? (JSON.parse(text) as Head) : null;
  }

  /**
   * The job's last copied checkpoint, its files written into `jobDir` and its paths re-rooted
   * there; null when there is none (or its files expired). The partial video it names is on the
   * other worker's disk, so it is dropped: the resumed run writes its own.
   */
  async restore(jobId: string, jobDir: string): Promise<{ checkpoint: SectionCheckpoint; from: string } | null> {
    const head = await this.head(jobId);
    if (!head) return null;
    await mkdir(jobDir, { recursive: true, mode: 0o700 });
    for (const file of head.files) {
      const data = await this.blobs.get(file.blob);
      if (!data) return null;
      await writeFile(path.join(jobDir, file.name), data, { mode: 0o600 });
    }
    return { checkpoint: { ...reroot(head.record, JOB_DIR_TOKEN, jobDir), partialPath: null }, from: head.worker };
  }

  private async dropFiles(files: readonly StoredFile[]): Promise<void> {
    for (const f of files) await this.blobs.delete(f.blob);
  }

  /** Removes the job's checkpoint (it ended: nothing can resume it). */
  async drop(jobId: string): Promise<void> {
    const head = await this.head(jobId);
    await this.redis.del(this.headKey(jobId));
    if (head) await this.dropFiles(head.files);
  }
}
