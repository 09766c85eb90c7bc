// The durable job journal (PEERS.md §C4.7): an append-only JSON-lines file in the data dir plus one
// folder per job holding its copied input, its spec and its latest section checkpoint. Each
// record is written and fdatasync'ed before the daemon acts on it, so a kill -9 at any point loses
// at most the record being written (a torn last line is ignored on replay). Replay rebuilds every
// job and the queue order; a job that was running when the daemon died comes back first in line
// and resumes from its checkpoint. The file is compacted on open.
import { closeSync, copyFileSync, existsSync, fdatasyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { Job } from '../../shared/protocol/index.js';
import type { SectionCheckpoint } from '../engine/engine.js';

export const JOURNAL_FILE = 'journal.jsonl';
export const CHECKPOINT_FILE = 'checkpoint.json';
/** Finished jobs kept in the journal at compaction (their folders stay on disk). */
export const MAX_FINISHED_JOBS_KEPT = 1000;

/** A journal line. */
export type JournalRecord =
  /** Upsert of a job's record (submit, start, finish, requeue). */
  | { t: 'job'; job: Job }
  /** The queue's waiting ids in run order, after any change. */
  | { t: 'order'; queued: string[] }
  /** A section checkpoint was saved in the job folder (informational). */
  | { t: 'checkpoint'; id: string; sectionsDone: number };

export interface ReplayResult {
  jobs: Map<string, Job>;
  /** Waiting ids in run order; interrupted (was running) jobs first. */
  queued: string[];
  /** Jobs that were running when the daemon stopped. */
  interrupted: string[];
  /** Lines that could not be read (a torn tail after a crash). */
  skippedLines: number;
}

/** Fold journal lines into the current state. Pure. */
export function replay(lines: readonly string[]): ReplayResult {
  const jobs = new Map<string, Job>();
  let order: string[] = [];
  let skippedLines = 0;
  for (const line of lines) {
    if (line.trim() === '') continue;
    let record: JournalRecord;
    try {
      record = JSON.parse(line) as JournalRecord;
    } catch {
      skippedLines++;
      continue;
    }
    if (record.t === 'job') {
      const job = Job.safeParse(record.job);
      if (job.success) jobs.set(job.data.id, job.data);
      else skippedLines++;
    } else if (record.t === 'order' && Array.isArray(record.queued)) order = record.queued.filter((id) => typeof id === 'string');
  }
  const interrupted = [...jobs.values()].filter((j) => j.state === 'running').map((j) => j.id);
  const waiting = order.filter((id) => jobs.get(id)?.state === 'queued');
  // A job whose record was written but whose order record was not (crash in between) still runs.
  const stray = [...jobs.values()].filter((j) => j.state === 'queued' && !waiting.includes(j.id)).map((j) => j.id);
  for (const id of interrupted) {
    const job = jobs.get(id)!;
    jobs.set(id, { ...job, state: 'queued', cancelRequested: null });
  }
  return { jobs, queued: [...interrupted, ...waiting, ...stray], interrupted, skippedLines };
}

export class JobJournal {
  private fd: number | null = null;
  readonly file: string;
  readonly jobsDir: string;

  constructor(readonly dataDir: string) {
    this.file = path.join(dataDir, JOURNAL_FILE);
    this.jobsDir = path.join(dataDir, 'jobs');
  }

  /** Replay the journal, then compact it to the current state and open it for appending. */
  open(): ReplayResult {
    mkdirSync(this.jobsDir, { recursive: true });
    const text = existsSync(this.file) ? readFileSync(this.file, 'utf8') : '';
    const result = replay(text.split('\n'));
    const finished = [...result.jobs.values()].filter((j) => j.state !== 'queued').sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    for (const old of finished.slice(0, Math.max(0, finished.length - MAX_FINISHED_JOBS_KEPT))) result.jobs.delete(old.id);
    const compact = [...result.jobs.values()].map((job) => JSON.stringify({ t: 'job', job } satisfies JournalRecord));
    compact.push(JSON.stringify({ t: 'order', queued: result.queued } satisfies JournalRecord));
    const tmp = `${this.file}.compact`;
    writeFileSync(tmp, `${compact.join('\n')}\n`);
    renameSync(tmp, this.file);
    this.fd = openSync(this.file, 'a');
    return result;
  }

  append(record: JournalRecord): void {
    if (this.fd === null) throw new Error('journal is not open');
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
    // Durable before the daemon acts on it: a job acknowledged to a client survives a crash.
    fdatasyncSync(this.fd);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  jobDir(id: string): string {
    return path.join(this.jobsDir, id);
  }

  /** Create the job folder and copy the input image into it; returns the copy's path. */
  adoptInput(id: string, image: string): string {
    const dir = this.jobDir(id);
    mkdirSync(dir, { recursive: true });
    const ext = path.extname(image).toLowerCase().replace(/[^.a-z0-9]/g, '') || '.img';
    const copy = path.join(dir, `input${ext}`);
    copyFileSync(image, copy);
    return copy;
  }

  saveCheckpoint(id: string, checkpoint: SectionCheckpoint): void {
    const file = path.join(this.jobDir(id), CHECKPOINT_FILE);
    const tmp = `${file}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(checkpoint));
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    this.append({ t: 'checkpoint', id, sectionsDone: checkpoint.sectionsDone });
  }

  loadCheckpoint(id: string): SectionCheckpoint | null {
    const file = path.join(this.jobDir(id), CHECKPOINT_FILE);
    if (!existsSync(file)) return null;
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as SectionCheckpoint;
    } catch {
      return null;
    }
  }
}
