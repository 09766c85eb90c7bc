// What the journal does with a file it cannot fully read, and how its I/O failures are worded
// (issue 15 items 1 and 6). A damaged journal (cut short, random bytes, a stray line, a directory
// in its place) is renamed aside to journal.jsonl.damaged-<time> — never overwritten — before the
// compacted journal is written, and a warning names it; the daemon starts with every record it
// could read. Only when it cannot even do that (no permission, a read error) does the start fail,
// with a message naming the file and the fix. Failed writes say "disk full", where, and how much.
import { existsSync, lstatSync, readFileSync, renameSync, statfsSync, statSync } from 'node:fs';
import path from 'node:path';
import { RpcError } from '../../shared/protocol/index.js';

/** The daemon cannot use its journal; the message names the file and what to do. */
export class JournalOpenError extends Error {
  override readonly name = 'JournalOpenError';
}

export interface JournalDamage {
  /** Where the damaged original now lives. */
  keptAs: string;
  /** One line for the log and the start-up warning. */
  message: string;
}

function errnoText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ? `${e.code}: ${e.message}` : String((err as Error)?.message ?? err);
}

export function journalOpenError(file: string, err: unknown): JournalOpenError {
  const code = (err as NodeJS.ErrnoException).code;
  const fix = code === 'EACCES' || code === 'EPERM'
    ? `give your user read and write access to it (and its folder ${path.dirname(file)}), or set FRAMEPACK_DATA_DIR to another folder`
    : code === 'ENOSPC' || code === 'EDQUOT'
      ? `free space on the disk holding ${path.dirname(file)}`
      : `move ${file} away (the daemon then starts with no jobs), or set FRAMEPACK_DATA_DIR to another folder`;
  return new JournalOpenError(`cannot use the job journal ${file} (${errnoText(err)}); ${fix}`);
}

/** The journal's text ('' when absent), or notAFile when something else (a directory, a FIFO) is in its place. */
export function inspectJournal(file: string): { text: string; notAFile: boolean } {
  let stat;
  try {
    stat = statSync(file);
  } catch (err: unknown) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { text: '', notAFile: true }; // a symlink loop
    if (code === 'ENOENT') {
      // A dangling symlink is something in the journal's place too.
      try {
        lstatSync(file);
        return { text: '', notAFile: true };
      } catch {
        return { text: '', notAFile: false };
      }
    }
    throw journalOpenError(file, err);
  }
  if (!stat.isFile()) return { text: '', notAFile: true };
  try {
    return { text: readFileSync(file, 'utf8'), notAFile: false };
  } catch (err: unknown) {
    throw journalOpenError(file, err);
  }
}

function stamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** Rename the journal aside under a name not yet taken; throws JournalOpenError when it cannot. */
export function setAside(
  file: string,
  info: { notAFile: boolean; badLines: readonly number[]; salvaged: number; jobsKept: number },
  now: Date = new Date(),
): JournalDamage {
  const base = `${file}.damaged-${stamp(now)}`;
  let keptAs = base;
  for (let n = 2; existsSync(keptAs); n++) keptAs = `${base}-${n}`;
  try {
    renameSync(file, keptAs);
  } catch (err: unknown) {
    throw journalOpenError(file, err);
  }
  const what = info.notAFile
    ? 'is not a regular file'
    : `has ${info.badLines.length} unreadable line(s) (line ${info.badLines.slice(0, 5).join(', ')}${info.badLines.length > 5 ? ', …' : ''})${info.salvaged ? `, ${info.salvaged} record(s) recovered from inside them` : ''}`;
  return {
    keptAs,
    message: `the job journal ${file} ${what}; the original is kept as ${keptAs} and the daemon continues with the ${info.jobsKept} job(s) it could read`,
  };
}

/** A failed journal write as the client sees it: disk full (where, how much) or the I/O error. */
export function describeWriteFailure(file: string, err: unknown, bytesNeeded: number, consequence = 'nothing was changed'): RpcError {
  const code = (err as NodeJS.ErrnoException).code;
  const dir = path.dirname(file);
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    let free = '';
    try {
      const s = statfsSync(dir);
      free = `, ${s.bavail * s.bsize} bytes free`;
    } catch {
      // the numbers are a courtesy
    }
    const what = code === 'ENOSPC' ? 'disk full' : 'disk quota exceeded';
    return new RpcError('DISK_FULL', `${what}: could not write the job journal ${file} (${bytesNeeded} bytes needed${free}); ${consequence} — free space in ${dir} and try again`, {
      retryable: true, detail: { errno: code, path: file, bytesNeeded }, cause: err,
    });
  }
  return new RpcError('INTERNAL', `could not write the job journal ${file} (${errnoText(err)}); ${consequence}`, { retryable: true, detail: { errno: code ?? null, path: file }, cause: err });
}
