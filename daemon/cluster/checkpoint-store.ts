// Section checkpoints where every worker can read them: in Redis, per job. The job runner saves a
// checkpoint in the worker's own job folder after each section (jobs/job-journal.ts, the engine's
// own format: daemon/engine/pipeline/checkpoint-files.ts); this store copies it into Redis — the
// record, plus the files in the job folder it names (latent history and pixels, float32) — and
// another worker that picks the job up after a crash writes them into ITS job folder and resumes
// from there. The record names its files by absolute path; those paths are re-rooted from one job
// folder to the other (whatever engine wrote them). Each section's files are new blobs, and the
// `head` record naming them is written last, so a worker killed mid-upload leaves the previous
// section's checkpoint whole. A checkpoint over `maxBytes` (the pixel history grows with the video)
// is not copied: a job resumed elsewhere then starts from the last one that was, or over — with
// the same seed, the same video, only later.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
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

interface Head {
  sectionsDone: number;
  /** The record with its job-folder paths as `${jobDir}/<name>`. */
  record: SectionCheckpoint;
  files: string[];
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

  /** Copies the checkpoint a worker just saved in `jobDir`; returns the bytes copied, or null when it was too large. */
  async save(jobId: string, c: SectionCheckpoint, jobDir: string, worker: string): Promise<number | null> {
    const files = pathsInside(c.state, jobDir);
    const contents = await Promise.all(files.map((f) => readFile(f)));
    const bytes = contents.reduce((n, b) => n + b.byteLength, 0);
    if (bytes > this.maxBytes) return null;
    const names = files.map((f) => path.basename(f));
    for (const [i, name] of names.entries()) await this.blobs.put(this.blobName(jobId, c.sectionsDone, name), contents[i]!);
    const previous = await this.head(jobId);
    const head: Head = { sectionsDone: c.sectionsDone, record: reroot(c, jobDir, JOB_DIR_TOKEN), files: names, worker };
    await this.redis.set(this.headKey(jobId), JSON.stringify(head), 'EX', 7 * 24 * 3600);
    if (previous && previous.sectionsDone !== c.sectionsDone) await this.dropFiles(jobId, previous);
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
    for (const name of head.files) {
      const data = await this.blobs.get(this.blobName(jobId, head.sectionsDone, name));
      if (!data) return null;
      await writeFile(path.join(jobDir, name), data, { mode: 0o600 });
    }
    return { checkpoint: { ...reroot(head.record, JOB_DIR_TOKEN, jobDir), partialPath: null }, from: head.worker };
  }

  private async dropFiles(jobId: string, head: Head): Promise<void> {
    for (const name of head.files) await this.blobs.delete(this.blobName(jobId, head.sectionsDone, name));
  }

  /** Removes the job's checkpoint (it ended: nothing can resume it). */
  async drop(jobId: string): Promise<void> {
    const head = await this.head(jobId);
    await this.redis.del(this.headKey(jobId));
    if (head) await this.dropFiles(jobId, head);
  }
}
