// `framepack jobs move ID --front|--back|--to N` and `framepack jobs rm ID`: reorder and remove
// queued jobs (issue 16, as FramePack-Studio's queue and lazygit/k9s users expect). Positions count
// from 1 here, as `jobs` shows them (#1 runs next); the protocol counts from 0. A running job is
// refused by the daemon with a message that points to `framepack cancel`.
import { parseFlags } from './args.js';
import { withDaemonClient } from './daemon-client.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from './errors.js';
import { resolveJobRef } from './job-ref.js';
import type { QueuePlace } from '../../shared/protocol/index.js';

const ID_HELP = `ID is a job id, a unique prefix of one (\`framepack jobs\` lists them), or \`last\` (the newest job).`;

export const JOBS_MOVE_HELP = `Usage: framepack jobs move ID (--front | --back | --to N) [--json]

Moves a queued job within the queue: to the front (it runs next), to the back, or to position N
(1 = runs next, as \`framepack jobs\` counts; past the end = last). Running and finished jobs
cannot be moved (exit 1).
${ID_HELP}

  --front        run it next
  --back         run it after all others
  --to N         put it at position N (1-based)
  --json         print {job, position, queued} as JSON (positions there count from 0, as in the protocol)
  -h, --help     this help`;

export const JOBS_RM_HELP = `Usage: framepack jobs rm ID [--json]

Removes a queued job from the queue and the job list (its copied input image goes; nothing in the
output folder is touched). A running job is refused: stop it with \`framepack cancel ID\`.
Finished jobs cannot be removed (exit 1).
${ID_HELP}

  --json         print {removed, queued} as JSON
  -h, --help     this help`;

const out = (s: string) => process.stdout.write(`${s}\n`);

/** The place the flags name, in the protocol's 0-based terms; a usage error unless exactly one is given. Pure. */
export function placeFromFlags(v: { front?: boolean; back?: boolean; to?: string }): QueuePlace {
  const given = [v.front && '--front', v.back && '--back', v.to !== undefined && '--to'].filter(Boolean);
  if (given.length !== 1) throw new UsageError(`jobs move needs exactly one of --front, --back, --to N${given.length ? ` (got ${given.join(' and ')})` : ''}`);
  if (v.front) return 'front';
  if (v.back) return 'back';
  const text = v.to!.trim();
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`--to must be a queue position counted from 1 (1 runs next), got '${v.to}'`);
  }
  return Number(text) - 1;
}

function oneRef(command: string, positionals: string[]): string {
  const ref = positionals[0];
  if (!ref) throw new UsageError(`${command} needs a job id (or a prefix of one, or \`last\`)`);
  if (positionals.length > 1) throw new UsageError(`${command}: unexpected argument '${positionals[1]}' (one job at a time)`);
  return ref;
}

export async function runJobsMoveCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('jobs move', argv, { json: { type: 'boolean' }, front: { type: 'boolean' }, back: { type: 'boolean' }, to: { type: 'string' } }, true);
  if (values.help) return (out(JOBS_MOVE_HELP), EXIT_OK);
  const ref = oneRef('jobs move', positionals);
  const to = placeFromFlags(values);
  return withDaemonClient('framepack jobs move', async (client) => {
    const job = await resolveJobRef(client, ref);
    const moved = await client.call('jobs.move', { jobId: job.id, to });
    if (values.json) out(JSON.stringify(moved));
    else out(`${job.id} moved to #${moved.position + 1} of ${moved.queued.length} queued`);
    return EXIT_OK;
  });
}

export async function runJobsRmCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('jobs rm', argv, { json: { type: 'boolean' } }, true);
  if (values.help) return (out(JOBS_RM_HELP), EXIT_OK);
  const ref = oneRef('jobs rm', positionals);
  return withDaemonClient('framepack jobs rm', async (client) => {
    const job = await resolveJobRef(client, ref);
    const removed = await client.call('jobs.remove', { jobId: job.id });
    if (values.json) out(JSON.stringify(removed));
    else out(`${job.id} removed from the queue (${removed.queued.length} still queued)`);
    return EXIT_OK;
  });
}
