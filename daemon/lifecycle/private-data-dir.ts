// Private file modes (issue 15 item 12): the data dir holds prompts, paths and inputs (daemon.log,
// journal.jsonl, jobs/), so it is created 0700 and an existing one of ours is tightened to 0700;
// daemon.log is created 0600 before anything appends to it. Files inside inherit the privacy of
// the folder; the journal, checkpoints and locks are also written 0600 themselves. Finished videos
// and their sidecars outside the data dir (`out`, outputDir) follow the user's umask: they are the
// user's products, placed where the user chose.
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Create (or tighten) the data dir and the log file; returns the paths whose modes were tightened. */
export function preparePrivateDataDir(dataDir: string, logFile: string): string[] {
  mkdirSync(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const tightened: string[] = [];
  const own = (file: string, mode: number) => {
    const st = statSync(file);
    // Only our own: a shared folder someone else owns is theirs to set.
    if (st.uid === process.getuid?.() && (st.mode & 0o777) !== mode) {
      chmodSync(file, mode);
      tightened.push(file);
    }
  };
  own(dataDir, PRIVATE_DIR_MODE);
  closeSync(openSync(logFile, 'a', PRIVATE_FILE_MODE));
  own(logFile, PRIVATE_FILE_MODE);
  return tightened;
}
