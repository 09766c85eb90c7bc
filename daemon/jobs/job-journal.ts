// The durable job journal (PEERS.md §C4.7): an append-only file of checksum-framed JSON records
// (journal-format.ts) in the data dir plus one folder per job holding its copied input, its spec
// and its latest section checkpoint. Each record is written whole and fdatasync'ed before the
// daemon acts on it; a write that fails part-way (ENOSPC, EIO) is cut off again (ftruncate to the
// last whole record) so the next record starts on a clean line, and a kill -9 mid-write leaves at
// most a torn last line, which replay skips. Replay rebuilds every job and the queue order; a job
// that was running when the daemon died comes back first in line and resumes from its checkpoint.
// The file is compacted on open; a journal with unreadable bytes is first renamed aside
// (journal-damage.ts), never overwritten. See docs/daemon.md, "What survives what".
import {
  closeSync, copyFileSync, existsSync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync,
} from 'node:fs';
import path from 'node:path';
import { isKeepAlive } from '../../shared/domain/keep-alive.js';
import { Job, RpcError } from '../../shared/protocol/index.js';
import type { SectionCheckpoint } from '../engine/engine.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../lifecycle/private-data-dir.js';
import { silentLogger, type Logger } from '../log.js';
import { decodeJournal, encodeRecord } from './journal-format.js';
import { describeWriteFailure, inspectJournal, JournalOpenError, journalOpenError, setAside, type JournalDamage } from './journal-damage.js';

export const JOURNAL_FILE = 'journal.jsonl';
export const CHECKPOINT_FILE = 'checkpoint.json';
/** Finished jobs kept in the journal at compaction (their folders stay on disk). */
export const MAX_FINISHED_JOBS_KEPT = 1000;

/** A journal record. */
export type JournalRecord =
  /** Upsert of a job's record (submit, start, finish, requeue); `queued` also replaces the queue order, in the same atomic record. */
  | { t: 'job'; job: Job; queued?: string[] }
  /** The queue's waiting ids in run order, after any change (also jobs.move). */
  | { t: 'order'; queued: string[] }
  /** A queued job removed by jobs.remove: gone from the job list; `queued` is the order after it. */
  | { t: 'removed'; id: string; queued: string[] }
  /** A section checkpoint was saved in the job folder (informational). */
  | { t: 'checkpoint'; id: string; sectionsDone: number };

export interface ReplayResult {
  jobs: Map<string, Job>;
  /** Waiting ids in run order; interrupted (was running) jobs first. */
  queued: string[];
  /** Jobs that were running when the daemon stopped. */
  interrupted: string[];
  /** Lines or records that could not be read (a torn tail after a crash, damage). */
  skippedLines: number;
}

export interface OpenResult extends ReplayResult {
  /** Set when the journal held unreadable bytes or was not a file: where the original was kept. */
  damage: JournalDamage | null;
}

const stringIds = (v: unknown): string[] | null => (Array.isArray(v) ? v.filter((id): id is string => typeof id === 'string') : null);

/**
 * Jobs journaled by earlier versions stay valid: those accepted a keepAlive of any negative number
 * (forever) or beyond the timer limit, which the grammar now refuses; both meant "keep loaded",
 * so they become -1. Anything else passes through unchanged.
 */
function migrateJob(raw: unknown): unknown {
  const spec = (raw as { spec?: { keepAlive?: unknown } } | null)?.spec;
  const keepAlive = spec?.keepAlive;
  if (spec === undefined || keepAlive === undefined || isKeepAlive(keepAlive as string | number)) return raw;
  const n = typeof keepAlive === 'number' ? keepAlive : Number(String(keepAlive).trim());
  const tooLong = typeof keepAlive === 'string' && /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/.test(keepAlive.trim());
  if (!(Number.isFinite(n) || tooLong)) return raw;
  return { ...(raw as object), spec: { ...spec, keepAlive: -1 } };
}

/** Fold decoded records into the current state. Pure. */
export function replayRecords(records: readonly Record<string, unknown>[], unreadable = 0): ReplayResult {
  const jobs = new Map<string, Job>();
  let order: string[] = [];
  let skippedLines = unreadable;
  for (const record of records) {
    if (record.t === 'job') {
      const job = Job.safeParse(migrateJob(record.job));
      if (!job.success) {
        skippedLines++;
        continue;
      }
      jobs.set(job.data.id, job.data);
      order = stringIds(record.queued) ?? order;
    } else if (record.t === 'order') {
      order = stringIds(record.queued) ?? order;
    } else if (record.t === 'removed' && typeof record.id === 'string') {
      jobs.delete(record.id);
      order = (stringIds(record.queued) ?? order).filter((id) => id !== record.id);
    } else if (record.t !== 'checkpoint') {
      skippedLines++;
    }
  }
  const interrupted = [...jobs.values()].filter((j) => j.state === 'running').map((j) => j.id);
  const waiting = order.filter((id, i) => jobs.get(id)?.state === 'queued' && order.indexOf(id) === i);
  // A job whose record was written but whose order record was not (crash in between) still runs.
  const stray = [...jobs.values()].filter((j) => j.state === 'queued' && !waiting.includes(j.id)).map((j) => j.id);
  for (const id of interrupted) {
    const job = jobs.get(id)!;
    jobs.set(id, { ...job, state: 'queued', cancelRequested: null });
  }
  return { jobs, queued: [...interrupted, ...waiting, ...stray], interrupted, skippedLines };
}

/** Replay journal text given as lines (either format). Pure. */
export function replay(lines: readonly string[]): ReplayResult {
  const decoded = decodeJournal(`${lines.join('\n')}\n`);
  return replayRecords(decoded.records, decoded.badLines.length - decoded.salvaged);
}

/** The few fs calls an append makes; a seam so tests can fail a write part-way (ENOSPC) without a full disk. */
export interface JournalFs {
  writeSync(fd: number, buffer: Buffer, offset: number, length: number): number;
  fdatasyncSync(fd: number): void;
  ftruncateSync(fd: number, length: number): void;
}
const realFs: JournalFs = { writeSync: (fd, b, o, l) => writeSync(fd, b, o, l), fdatasyncSync, ftruncateSync };

export interface JobJournalOptions {
  log?: Logger;
  fs?: JournalFs;
  /** Told after each checkpoint is durable (a cluster worker copies it to Redis, daemon/cluster/checkpoint-store.ts). */
  onCheckpoint?(id: string, checkpoint: SectionCheckpoint): void;
}

export class JobJournal {
  private fd: number | null = null;
  /** File size after the last whole record: where a failed write is cut back to. */
  private goodBytes = 0;
  /** A failed write could not be cut back; do it before the next write. */
  private tornTail = false;
  /** Encoded records the daemon already acted on whose write failed; written before the next record. */
  private pending: string[] = [];
  private syncCount = 0;
  private readonly log: Logger;
  private readonly fs: JournalFs;
  readonly file: string;
  readonly jobsDir: string;
  private readonly onCheckpoint: JobJournalOptions['onCheckpoint'];

  constructor(readonly dataDir: string, options: JobJournalOptions = {}) {
    this.file = path.join(dataDir, JOURNAL_FILE);
    this.jobsDir = path.join(dataDir, 'jobs');
    this.log = (options.log ?? silentLogger).child({ scope: 'journal' });
    this.fs = options.fs ?? realFs;
    this.onCheckpoint = options.onCheckpoint;
  }

  /**
   * Replay the journal, keep a damaged one aside, then compact it to the current state and open it
   * for appending. Throws a JournalOpenError (naming the file and the fix) when it cannot.
   */
  open(): OpenResult {
    try {
      mkdirSync(this.jobsDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    } catch (err: unknown) {
      throw journalOpenError(this.jobsDir, err);
    }
    const found = inspectJournal(this.file);
    const decoded = decodeJournal(found.text);
    const result = replayRecords(decoded.records, decoded.badLines.length - decoded.salvaged);
    const finished = [...result.jobs.values()].filter((j) => j.state !== 'queued').sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    for (const old of finished.slice(0, Math.max(0, finished.length - MAX_FINISHED_JOBS_KEPT))) result.jobs.delete(old.id);
    const compact = [...result.jobs.values()].map((job) => encodeRecord({ t: 'job', job } satisfies JournalRecord));
    compact.push(encodeRecord({ t: 'order', queued: result.queued } satisfies JournalRecord));
    // The compacted journal is written first: if that fails (a full disk), the original is still in
    // place, untouched, for the next start. Only then is a damaged original renamed aside.
    const tmp = `${this.file}.compact`;
    let damage: JournalDamage | null = null;
    try {
      const fd = openSync(tmp, 'w', PRIVATE_FILE_MODE);
      try {
        this.writeAll(fd, Buffer.from(compact.join('')));
        this.fs.fdatasyncSync(fd);
      } finally {
        closeSync(fd);
      }
      if (found.notAFile || decoded.badLines.length > 0 || result.skippedLines > 0) {
        damage = setAside(this.file, { notAFile: found.notAFile, badLines: decoded.badLines, salvaged: decoded.salvaged, jobsKept: result.jobs.size });
        this.log.warn(damage.message, { journal: this.file, keptAs: damage.keptAs, badLines: decoded.badLines.slice(0, 20), jobsKept: result.jobs.size });
      }
      renameSync(tmp, this.file);
      this.fd = openSync(this.file, 'a', PRIVATE_FILE_MODE);
    } catch (err: unknown) {
      rmSync(tmp, { force: true });
      throw err instanceof JournalOpenError ? err : journalOpenError(this.file, err);
    }
    this.goodBytes = fstatSync(this.fd).size;
    return { ...result, damage };
  }

  /** fdatasync calls made (the warm-start test counts them per job start). */
  get syncs(): number {
    return this.syncCount;
  }

  /**
   * Record something the daemon has already done (a job started, finished, was requeued). Never
   * throws for a failed write: the record is kept and written before the next one, so the journal
   * catches up once space is free; returns false (and logs) while it is pending.
   */
  append(...records: JournalRecord[]): boolean {
    // Several records of one moment go in one write and one fdatasync.
    for (const record of records) this.pending.push(encodeRecord(record));
    try {
      this.flush();
      return true;
    } catch (err: unknown) {
      this.log.error(describeWriteFailure(this.file, err, Buffer.byteLength(this.pending.join('')), 'the record is kept and written before the next one').message, { journal: this.file, pendingRecords: this.pending.length });
      return false;
    }
  }

  /**
   * Record something the daemon does only once it is durable (a submit, a cancel): throws a clear
   * RpcError when the write fails, and the record is dropped (the caller changes nothing).
   */
  commit(record: JournalRecord): void {
    const text = encodeRecord(record);
    try {
      this.flush();
      this.write(text);
    } catch (err: unknown) {
      throw describeWriteFailure(this.file, err, Buffer.byteLength(this.pending.join('')) + Buffer.byteLength(text));
    }
  }

  close(): void {
    if (this.fd === null) return;
    try {
      this.flush();
    } catch (err: unknown) {
      this.log.error(describeWriteFailure(this.file, err, Buffer.byteLength(this.pending.join('')), `${this.pending.length} record(s) are lost`).message, { journal: this.file });
    }
    closeSync(this.fd);
    this.fd = null;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.write(this.pending.join(''));
    this.pending = [];
  }

  /** Write `text` whole and fdatasync it, or cut the file back to its last whole record and throw. */
  private write(text: string): void {
    if (this.fd === null) throw new RpcError('INTERNAL', 'the job journal is not open');
    if (this.tornTail) {
      this.fs.ftruncateSync(this.fd, this.goodBytes);
      this.tornTail = false;
    }
    const bytes = Buffer.from(text);
    try {
      this.writeAll(this.fd, bytes);
      this.syncCount++;
      this.fs.fdatasyncSync(this.fd);
    } catch (err: unknown) {
      try {
        this.fs.ftruncateSync(this.fd, this.goodBytes);
      } catch {
        this.tornTail = true;
      }
      throw err;
    }
    this.goodBytes += bytes.length;
  }

  /** writeSync may store fewer bytes than asked (a filling disk): loop until all are written or it throws. */
  private writeAll(fd: number, bytes: Buffer): void {
    for (let offset = 0; offset < bytes.length;) {
      const n = this.fs.writeSync(fd, bytes, offset, bytes.length - offset);
      if (n <= 0) throw Object.assign(new Error('write stored nothing'), { code: 'EIO' });
      offset += n;
    }
  }

  jobDir(id: string): string {
    return path.join(this.jobsDir, id);
  }

  /** Create the job folder and copy the input image into it; returns the copy's path. */
  adoptInput(id: string, image: string): string {
    const dir = this.jobDir(id);
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    const ext = path.extname(image).toLowerCase().replace(/[^.a-z0-9]/g, '') || '.img';
    const copy = path.join(dir, `input${ext}`);
    copyFileSync(image, copy);
    return copy;
  }

  saveCheckpoint(id: string, checkpoint: SectionCheckpoint): void {
    const file = path.join(this.jobDir(id), CHECKPOINT_FILE);
    const tmp = `${file}.tmp`;
    const fd = openSync(tmp, 'w', PRIVATE_FILE_MODE);
    try {
      writeSync(fd, JSON.stringify(checkpoint));
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    this.append({ t: 'checkpoint', id, sectionsDone: checkpoint.sectionsDone });
    this.onCheckpoint?.(id, checkpoint);
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
