// The registration file (nx's cache.ts, STYLE.md §3.2): daemon.json beside the socket with pid,
// versions, socket path and where the data and log live, so `framepack daemon status` can say who
// is running without a round-trip. Written atomically (0600); removed only if it is still ours.
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const Registration = z.object({
  pid: z.number().int().positive(),
  daemonVersion: z.string(),
  protocolVersion: z.number().int().positive(),
  socketPath: z.string(),
  instanceId: z.string(),
  startedAt: z.string(),
  dataDir: z.string(),
  logFile: z.string(),
  engine: z.string(),
});
export type Registration = z.infer<typeof Registration>;

export function registrationPath(socketFile: string): string {
  return path.join(path.dirname(socketFile), 'daemon.json');
}

export function writeRegistration(socketFile: string, reg: Registration): void {
  const file = registrationPath(socketFile);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(reg, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

export function readRegistration(socketFile: string): Registration | null {
  try {
    return Registration.parse(JSON.parse(readFileSync(registrationPath(socketFile), 'utf8')));
  } catch {
    return null;
  }
}

/** Delete daemon.json only when it names this process (a newer daemon may have replaced it). */
export function removeRegistration(socketFile: string, pid = process.pid): void {
  if (readRegistration(socketFile)?.pid !== pid) return;
  try {
    unlinkSync(registrationPath(socketFile));
  } catch {
    // gone already
  }
}
