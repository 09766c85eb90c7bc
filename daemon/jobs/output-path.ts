// Checks a job's requested output path at submit, before the job is queued and long before models
// load, so a bad `out` is a clear INVALID_PARAMS instead of an INTERNAL ENOTDIR/EEXIST/ENAMETOOLONG
// minutes later:
// - absolute, `.mp4`, and not under a kernel pseudo-filesystem (Node's recursive mkdir spins
//   forever under /proc, which would wedge the engine thread for every later job);
// - a name short enough for the files the job writes beside it (`.<name>.<pid>-<hex>.tmp` while
//   encoding, `<stem>.json`, `<stem>.png`, the `<stem>/` partials folder);
// - the parent exists and is a folder the daemon may write (a file, a FIFO or a missing folder is
//   refused: the daemon never creates folders for an `out`);
// - an existing file at `out` is replaced only when framepack wrote it (its sidecar `<stem>.json`
//   says so) or the client asked (`overwrite: true`, `--overwrite`).
import { constants } from 'node:fs';
import { access, lstat, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { OUTPUT_SCHEMA } from '../media/output-files.js';

const PSEUDO_FILESYSTEMS = ['/proc', '/sys', '/dev'];
/** NAME_MAX (255 bytes) less the longest suffix we add beside the name (the encoder's temp file). */
export const MAX_OUTPUT_NAME_BYTES = 200;

/** Why an `out` is refused; `reason` is a stable code for scripts (detail.reason on the wire). */
export interface OutputPathProblem {
  reason: 'not-absolute' | 'pseudo-filesystem' | 'not-mp4' | 'name-too-long' | 'parent-missing' | 'parent-not-a-folder' | 'parent-not-writable' | 'target-not-a-file' | 'exists';
  message: string;
}

/** The checks that need no file system (pure). */
export function outputPathProblem(out: string): string | null {
  return outputNameProblem(out)?.message ?? null;
}

function outputNameProblem(out: string): OutputPathProblem | null {
  if (!path.isAbsolute(out)) return { reason: 'not-absolute', message: `must be an absolute path on the daemon's machine (got ${JSON.stringify(out)})` };
  const resolved = path.resolve(out);
  const fs = PSEUDO_FILESYSTEMS.find((root) => resolved === root || resolved.startsWith(`${root}/`));
  if (fs) return { reason: 'pseudo-filesystem', message: `${resolved} is under ${fs}, a kernel pseudo-filesystem; choose a folder on a real disk` };
  const name = path.basename(resolved);
  if (!name.toLowerCase().endsWith('.mp4') || name.length <= 4) return { reason: 'not-mp4', message: `${resolved} must name an .mp4 file (the daemon never creates a folder for an output)` };
  const bytes = Buffer.byteLength(name);
  if (bytes > MAX_OUTPUT_NAME_BYTES) return { reason: 'name-too-long', message: `the file name is ${bytes} bytes; at most ${MAX_OUTPUT_NAME_BYTES} (temp files add a suffix up to the 255-byte limit)` };
  return null;
}

/** Whether `videoPath` is a video framepack wrote: its sidecar `<stem>.json` names it with our schema. */
async function writtenByUs(videoPath: string): Promise<boolean> {
  const sidecar = path.join(path.dirname(videoPath), `${path.basename(videoPath, path.extname(videoPath))}.json`);
  try {
    const doc = JSON.parse(await readFile(sidecar, 'utf8')) as { schema?: unknown; video?: unknown };
    return doc.schema === OUTPUT_SCHEMA && doc.video === path.basename(videoPath);
  } catch {
    return false;
  }
}

const errnoOf = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

/** Every check, with the file system; null when the job may write `out`. */
export async function checkOutputPath(out: string, o: { overwrite: boolean }): Promise<OutputPathProblem | null> {
  const named = outputNameProblem(out);
  if (named) return named;
  const target = path.resolve(out);
  const parent = path.dirname(target);
  try {
    const st = await stat(parent);
    if (!st.isDirectory()) return { reason: 'parent-not-a-folder', message: `${parent} is not a folder` };
  } catch (err: unknown) {
    if (errnoOf(err) === 'ENOTDIR') return { reason: 'parent-not-a-folder', message: `${parent}: part of that path is a file, not a folder` };
    if (errnoOf(err) === 'ENOENT') return { reason: 'parent-missing', message: `the folder ${parent} does not exist (create it first)` };
    return { reason: 'parent-not-writable', message: `cannot use the folder ${parent}: ${(err as Error).message}` };
  }
  try {
    await access(parent, constants.W_OK | constants.X_OK);
  } catch {
    return { reason: 'parent-not-writable', message: `the daemon (uid ${process.getuid?.() ?? '?'}) cannot write to ${parent}` };
  }
  const existing = await lstat(target).catch(() => null);
  if (existing) {
    if (!existing.isFile()) {
      const kind = existing.isDirectory() ? 'a folder' : existing.isSymbolicLink() ? 'a symbolic link' : existing.isFIFO() ? 'a FIFO' : 'not a regular file';
      return { reason: 'target-not-a-file', message: `${target} is ${kind}; name a new or existing .mp4 file` };
    }
    if (!o.overwrite && !(await writtenByUs(target))) {
      return { reason: 'exists', message: `${target} already exists and was not written by framepack; pass overwrite: true (--overwrite) to replace it` };
    }
  }
  // The job also makes `<stem>/` for its partial videos: a file in the way fails the job later.
  const partials = path.join(parent, path.basename(target, path.extname(target)));
  const p = await lstat(partials).catch(() => null);
  if (p && !p.isDirectory()) return { reason: 'target-not-a-file', message: `${partials} (the folder for the partial videos) is a file` };
  return null;
}
