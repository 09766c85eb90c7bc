// How the daemon says why it will not start (issue 15 item 10): one `framepack daemon: <reason>`
// line on stderr (daemon.log when started detached) and the same line as a note beside the socket
// (shared/ipc/start-failure.ts), which survives a data dir too full to take a log line.
import { rmSync, writeFileSync } from 'node:fs';
import { startFailureNotePath } from '../../shared/ipc/start-failure.js';

export function reportStartFailure(socketFile: string, message: string): void {
  process.stderr.write(`framepack daemon: ${message}\n`);
  try {
    writeFileSync(startFailureNotePath(socketFile), `${message}\n`, { mode: 0o600 });
  } catch {
    // no runtime dir (it may be the problem): stderr has it
  }
}

/** A started daemon removes an earlier start's note. */
export function clearStartFailure(socketFile: string): void {
  rmSync(startFailureNotePath(socketFile), { force: true });
}
