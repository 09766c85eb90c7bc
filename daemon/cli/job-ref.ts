// What a user may type where a job id goes (jobs show, cancel, open): the full id, a unique
// prefix of one (ids are long; `jobs` cuts them in narrow terminals), or `last` for the newest
// job. The matching is pure; resolveJobRef asks the daemon for the list once.
import type { RpcClient } from '../../shared/ipc/rpc-client.js';
import type { Job } from '../../shared/protocol/index.js';
import { UsageError } from './errors.js';

export const LAST_JOB = 'last';

/** Thrown for a reference that names no job (exit 1: the command was well formed). */
export class JobNotFoundError extends Error {
  override readonly name = 'JobNotFoundError';
}

/** The one job `ref` names among `jobs`; a usage error when it is ambiguous, JobNotFoundError when none. */
export function matchJobRef(jobs: readonly Job[], ref: string): Job {
  if (ref === LAST_JOB) {
    const newest = [...jobs].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id)).at(-1);
    if (!newest) throw new JobNotFoundError('there are no jobs yet, so `last` names none');
    return newest;
  }
  const exact = jobs.find((j) => j.id === ref);
  if (exact) return exact;
  const matches = jobs.filter((j) => j.id.startsWith(ref));
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) throw new JobNotFoundError(`no job '${ref}' (see framepack jobs)`);
  const shown = matches.slice(0, 5).map((j) => `${j.id} (${j.state})`).join(', ');
  throw new UsageError(`job id prefix '${ref}' is ambiguous: it matches ${matches.length} jobs: ${shown}${matches.length > 5 ? ', …' : ''}; type more of the id`);
}

/** Resolves `ref` against the daemon's jobs. */
export async function resolveJobRef(client: RpcClient, ref: string): Promise<Job> {
  const { jobs } = await client.call('jobs.list', {});
  return matchJobRef(jobs, ref);
}
