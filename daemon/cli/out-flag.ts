// `-o/--out` checked before a job starts. Both modes: a name with another video or image extension
// (`clip.avi`, `clip.gif`) is refused instead of being taken for a folder to create — the product
// writes H.264 MP4 only. `--local` only (the daemon checks its own at submit, jobs/output-path.ts):
// the same refusals the daemon gives (kernel pseudo-filesystems, where Node's recursive mkdir spins
// forever; a file in the way; a name too long for the temp files; an existing file framepack did not
// write without --overwrite), except that --local still creates missing folders, as it always did.
// Without this, those surfaced as a hang, or as a bare ENOTDIR/ENAMETOOLONG after the models loaded
// or even after the whole video was sampled.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { checkOutputPath, outputPathProblem } from '../jobs/output-path.js';

/** Extensions that say "a file of another format", never "a folder". */
const OTHER_MEDIA_EXTENSIONS = new Set([
  '.avi', '.mkv', '.mov', '.webm', '.m4v', '.mpg', '.mpeg', '.wmv', '.flv', '.ogv', '.3gp', '.ts', '.gif', '.apng',
  '.png', '.jpg', '.jpeg', '.webp', '.json',
]);

/** Pure: the `--out` text names a non-MP4 media file (null when it is an .mp4 or may be a folder). */
export function outFormatProblem(out: string): string | null {
  const ext = path.extname(out.replace(/[\\/]+$/, '')).toLowerCase();
  if (out.endsWith('/') || !OTHER_MEDIA_EXTENSIONS.has(ext)) return null;
  return `${out}: framepack writes H.264 MP4 only; name a .mp4 file (or a folder, without an extension like ${ext})`;
}

const errno = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

/** The nearest folder that exists on the way to `target`: it must be a folder we can write into. */
async function creatableProblem(target: string): Promise<string | null> {
  for (let dir = path.dirname(target); ; dir = path.dirname(dir)) {
    try {
      const st = await stat(dir);
      if (!st.isDirectory()) return `${dir} is a file, not a folder`;
      await access(dir, constants.W_OK | constants.X_OK).catch(() => { throw Object.assign(new Error('not writable'), { code: 'EACCES' }); });
      return null;
    } catch (err: unknown) {
      if (errno(err) === 'ENOTDIR') return `part of ${dir} is a file, not a folder`;
      if (errno(err) === 'EACCES') return `cannot create folders in ${dir} (permission denied)`;
      if (errno(err) !== 'ENOENT' || dir === path.dirname(dir)) return `cannot use ${dir}: ${(err as Error).message}`;
    }
  }
}

/**
 * `--local`'s `--out` (default ./outputs, relative to the working folder): null when the job may
 * write there, else one line saying why not.
 */
export async function localOutProblem(out: string | undefined, o: { overwrite: boolean }): Promise<string | null> {
  const text = out ?? 'outputs';
  const target = path.resolve(text);
  const format = outFormatProblem(text);
  if (format) return format;
  if (target.toLowerCase().endsWith('.mp4') && path.basename(target).length > 4) {
    const named = outputPathProblem(target);
    if (named) return named;
    const parentExists = await stat(path.dirname(target)).then(() => true, () => false);
    if (!parentExists) return creatableProblem(target);
    const problem = await checkOutputPath(target, o);
    // Its wording is the daemon's ("the daemon (uid N) cannot write"); here this process writes.
    if (problem?.reason === 'parent-not-writable') return `cannot write to the folder ${path.dirname(target)} (permission denied)`;
    return problem?.message ?? null;
  }
  // A folder for <time>_seed<seed>.mp4: the same pseudo-filesystem guard, then it must be (or become) a folder.
  const pseudo = outputPathProblem(path.join(target, 'x.mp4'));
  if (pseudo) return pseudo;
  try {
    const st = await stat(target);
    if (!st.isDirectory()) return `${target} is a file; name a .mp4 file or a folder`;
    await access(target, constants.W_OK | constants.X_OK);
    return null;
  } catch (err: unknown) {
    if (errno(err) === 'ENOENT') return creatableProblem(target);
    if (errno(err) === 'EACCES') return `cannot write to the folder ${target} (permission denied)`;
    if (errno(err) === 'ENOTDIR') return `part of ${target} is a file, not a folder`;
    return `cannot use ${target}: ${(err as Error).message}`;
  }
}
