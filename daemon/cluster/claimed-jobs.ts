// Which local jobs a worker daemon runs for the shared queue: one empty file per job in
// `<data dir>/cluster/claimed/`. A worker killed mid-job finds its local record `running` on the
// next start, and the journal would queue it again here — but the shared queue has given it to
// another worker by then. So at start the claimed jobs still queued locally are removed (the
// queue owns them; their checkpoints are in Redis). Plain fs, no bullmq: every daemon runs this.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log.js';

export const claimedDir = (dataDir: string) => path.join(dataDir, 'cluster', 'claimed');

export function claim(dataDir: string, localId: string): void {
  mkdirSync(claimedDir(dataDir), { recursive: true, mode: 0o700 });
  writeFileSync(path.join(claimedDir(dataDir), localId), '');
}

export function unclaim(dataDir: string, localId: string): void {
  rmSync(path.join(claimedDir(dataDir), localId), { force: true });
}

/** Removes the queue's jobs left in the local queue by a worker that died; returns their ids. */
export function dropClaimedLeftovers(dataDir: string, jobs: { get(id: string): { state: string }; remove(id: string): unknown }, log: Pick<Logger, 'info'>): string[] {
  let names: string[];
  try {
    names = readdirSync(claimedDir(dataDir));
  } catch {
    return [];
  }
  const dropped: string[] = [];
  for (const id of names) {
    let state: string | null = null;
    try {
      state = jobs.get(id).state;
    } catch {
      // not in the journal any more
    }
    if (state === 'queued') {
      jobs.remove(id);
      dropped.push(id);
    }
    if (state !== 'running') unclaim(dataDir, id);
  }
  if (dropped.length > 0) log.info('removed shared-queue jobs a previous run of this worker left in its local queue (the shared queue gives them to a worker)', { jobs: dropped });
  return dropped;
}
