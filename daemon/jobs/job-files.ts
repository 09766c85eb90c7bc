// A job's own folder (`<data dir>/jobs/<id>/`): the bounded, streamed copy of its start image taken
// at submit, and the cleanup once the job is over. The copy's size is checked before a byte is
// read (a PNG with a 3 GiB tail is refused at once) and the copy streams with a hard byte cap, so
// the event loop keeps answering while it runs and a file that grows meanwhile cannot slip past.
// When a job ends (succeeded, failed, cancelled) its section checkpoints and temp files are
// deleted at once — nothing can resume it any more — and the rest of its folder (input copy,
// preview) after the retention (`--job-retention`, default 24 h). Outputs and partial videos live
// elsewhere (the output dir) and are never touched here.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isTerminalJobState, RpcError, type Job } from '../../shared/protocol/index.js';
import { diskFullError, formatBytes, isNoSpace } from '../media/disk-full.js';

/** A folder no journaled job owns is left alone this long (a submit may be copying into it right now). */
export const ORPHAN_MIN_AGE_MS = 10 * 60_000;

function imageRefused(problem: string): RpcError {
  return new RpcError('INVALID_PARAMS', `image: ${problem}`, { detail: { issues: [{ path: ['image'], code: 'custom', message: problem }] } });
}

/** Refuses an input over `maxBytes` from its size alone (nothing is read). Returns the size. */
export async function checkInputSize(image: string, maxBytes: number): Promise<number> {
  const st = await stat(image).catch(() => null);
  if (!st) return 0; // the image validator reports a missing file in its own words
  // A FIFO or a device would block the copy (or never end): only regular files are copied.
  if (!st.isFile()) throw imageRefused(`${image} is not a regular file`);
  if (st.size > maxBytes) {
    throw imageRefused(`${image} is ${formatBytes(st.size)} (${st.size} bytes); the daemon copies start images up to ${formatBytes(maxBytes)} (--max-input-size)`);
  }
  return st.size;
}

/** The copy's name in the job folder: `input.<ext>` (the runner looks for `input.*`). */
export function inputCopyName(image: string): string {
  return `input${path.extname(image).toLowerCase().replace(/[^.a-z0-9]/g, '') || '.img'}`;
}

/**
 * Copies the start image into `jobDir` as a stream of at most `maxBytes` bytes (temp name, then
 * rename). Throws INVALID_PARAMS when it is (or grows) over the limit, DISK_FULL when the data
 * dir runs out of space; the folder is removed on any failure.
 */
export async function copyInput(image: string, jobDir: string, maxBytes: number, name = inputCopyName(image)): Promise<string> {
  const size = await checkInputSize(image, maxBytes);
  await mkdir(jobDir, { recursive: true });
  const copy = path.join(jobDir, name);
  const temp = path.join(jobDir, '.input-copy.tmp');
  let copied = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      copied += chunk.length;
      if (copied > maxBytes) done(imageRefused(`${image} grew past ${formatBytes(maxBytes)} (--max-input-size) while it was copied`));
      else done(null, chunk);
    },
  });
  try {
    // end is inclusive: at most maxBytes + 1 bytes are ever read.
    await pipeline(createReadStream(image, { start: 0, end: maxBytes }), cap, createWriteStream(temp, { flags: 'wx' }));
    await rename(temp, copy);
    return copy;
  } catch (err: unknown) {
    await rm(jobDir, { recursive: true, force: true });
    if (err instanceof RpcError) throw err;
    if (isNoSpace(err)) throw await diskFullError(copy, size, err);
    throw imageRefused(`could not copy ${image}: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** Files in a job folder that only a running or queued job can use. */
const SCRATCH = [/^checkpoint-\d+\.(history|pixels)\.f32(\.\d+\.tmp)?$/, /^frames-\d+\.rgb$/, /^checkpoint\.json(\.tmp)?$/, /\.tmp$/];

/** Deletes a finished job's checkpoints and temp files (its input copy and preview stay until the retention ends). */
export async function removeJobScratch(jobDir: string): Promise<string[]> {
  const names = await readdir(jobDir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    if (!SCRATCH.some((re) => re.test(name))) continue;
    await rm(path.join(jobDir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/**
 * Which job folders to delete now (pure): those of jobs that ended more than `retentionMs` ago,
 * and folders no journaled job owns (a submit that crashed mid-copy, jobs compacted out of the
 * journal) once they are that old. Queued and running jobs' folders are never chosen.
 */
export function foldersToDelete(
  folders: readonly { name: string; mtimeMs: number }[],
  jobs: ReadonlyMap<string, Pick<Job, 'state' | 'finishedAt'>>,
  retentionMs: number,
  nowMs: number,
): string[] {
  if (retentionMs < 0) return [];
  return folders.filter(({ name, mtimeMs }) => {
    const job = jobs.get(name);
    if (!job) return nowMs - mtimeMs >= Math.max(retentionMs, ORPHAN_MIN_AGE_MS);
    if (!isTerminalJobState(job.state)) return false;
    const ended = job.finishedAt ? Date.parse(job.finishedAt) : mtimeMs;
    return nowMs - ended >= retentionMs;
  }).map((f) => f.name);
}

/** Applies foldersToDelete to `<jobsDir>`; returns the deleted names. */
export async function sweepJobFolders(jobsDir: string, jobs: ReadonlyMap<string, Pick<Job, 'state' | 'finishedAt'>>, retentionMs: number, nowMs = Date.now()): Promise<string[]> {
  const names = await readdir(jobsDir).catch(() => [] as string[]);
  const folders: { name: string; mtimeMs: number }[] = [];
  for (const name of names) {
    const st = await stat(path.join(jobsDir, name)).catch(() => null);
    if (st?.isDirectory()) folders.push({ name, mtimeMs: st.mtimeMs });
  }
  const doomed = foldersToDelete(folders, jobs, retentionMs, nowMs);
  for (const name of doomed) await rm(path.join(jobsDir, name), { recursive: true, force: true });
  return doomed;
}
