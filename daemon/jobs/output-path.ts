// Checks a job's requested output path at submit, before it can reach the worker: an output under
// a kernel pseudo-filesystem makes Node's recursive mkdir spin forever (seen with /proc/…), which
// would wedge the engine thread for every later job.
import path from 'node:path';

const PSEUDO_FILESYSTEMS = ['/proc', '/sys', '/dev'];

/** Why `out` cannot be a job's output path, or null when it can. */
export function outputPathProblem(out: string): string | null {
  if (!path.isAbsolute(out)) return `must be an absolute path on the daemon's machine (got ${JSON.stringify(out)})`;
  const resolved = path.resolve(out);
  const fs = PSEUDO_FILESYSTEMS.find((root) => resolved === root || resolved.startsWith(`${root}/`));
  return fs ? `${resolved} is under ${fs}, a kernel pseudo-filesystem; choose a folder on a real disk` : null;
}
