// `framepack jobs` while the daemon is down: the jobs as the daemon's journal on disk records
// them, read without writing (the daemon compacts the file when it opens it; a reader must not).
// A job that was running when the daemon stopped is shown as running-interrupted: the daemon
// resumes it first when it starts again.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Job } from '../../shared/protocol/index.js';
import { JOURNAL_FILE, replay } from '../jobs/job-journal.js';

export interface JournalView {
  file: string;
  /** Every job the journal knows, oldest first, with queue positions (0-based, as the protocol's). */
  jobs: Job[];
  /** Ids of jobs that were running when the daemon stopped. */
  interrupted: string[];
}

/** The journal's jobs in `dataDir`, or null when there is no journal there. */
export function readJournalView(dataDir: string): JournalView | null {
  const file = path.join(dataDir, JOURNAL_FILE);
  if (!existsSync(file)) return null;
  const { jobs, queued, interrupted } = replay(readFileSync(file, 'utf8').split('\n'));
  const list = [...jobs.values()]
    .map((j) => (j.state === 'queued' ? { ...j, position: queued.indexOf(j.id) } : j))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  return { file, jobs: list, interrupted };
}
