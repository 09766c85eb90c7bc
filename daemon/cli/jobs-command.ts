// `framepack jobs [--state S]… [--json]`, `framepack jobs show ID [--follow] [--json]`,
// `framepack cancel ID [--after-section]`, `framepack pause [--unload]`, `framepack resume`:
// the queue as seen from the command line. None of them starts a daemon. ID is a job id, a
// unique prefix of one, or `last` (job-ref.ts). With the daemon down, `jobs` and `jobs show`
// read the journal on disk instead (journal-view.ts) and say so.
import { isTerminalJobState, JobState, type Job } from '../../shared/protocol/index.js';
import { parseFlags } from './args.js';
import { connectDaemon, daemonPaths, withDaemonClient } from './daemon-client.js';
import { isNotRunning } from '../../shared/ipc/ensure-daemon.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from './errors.js';
import { followJob } from './follow-job.js';
import { table } from './format.js';
import { formatDuration, stageLabel } from './progress.js';
import { matchJobRef, resolveJobRef } from './job-ref.js';
import { readJournalView, type JournalView } from './journal-view.js';
import { runJobsMoveCommand, runJobsRmCommand } from './queue-edit-command.js';

const ID_HELP = `ID is a job id, a unique prefix of one (\`framepack jobs\` lists them), or \`last\` (the newest job).`;

export const JOBS_HELP = `Usage: framepack jobs [--state queued|running|succeeded|failed|cancelled]... [--json]
       framepack jobs --queue URL [--json]
       framepack jobs show ID [--follow] [--json]
       framepack jobs move ID (--front | --back | --to N) [--json]
       framepack jobs rm ID [--json]

Lists the daemon's jobs (oldest first): id, state, progress or queue position (#1 runs next),
creation time and prompt. \`jobs show\` prints one job's prompt, image, parameters, stage, output
and error; --follow prints its progress until it ends (exit 0 succeeded, 1 failed, 130 cancelled).
\`jobs move\` reorders a queued job (--to N counts from 1, as the list does); \`jobs rm\` removes a
queued job (a running one is stopped with \`framepack cancel\`). \`jobs move --help\`, \`jobs rm --help\`.
When the daemon is not running, \`jobs\` and \`jobs show\` read its journal on disk instead (and say so).
${ID_HELP}

  --queue URL    list the shared queue at URL instead (docs/cluster.md): state, worker, runs, progress
  --state S      only jobs in state S (repeatable)
  --follow       jobs show: follow the job to its end
  --json         machine-readable output (queue positions there count from 0, as in the protocol)
  -h, --help     this help`;

export const CANCEL_HELP = `Usage: framepack cancel ID [--after-section] [--json]
       framepack cancel ID --queue URL [--json]

Cancels a queued job at once, or a running job at its next step (--after-section: when its
current section is done, keeping that section in the partial video). Exits 1 when the job had
already finished (nothing to cancel) or does not exist.
${ID_HELP}

  --after-section   let the running section finish first
  --queue URL       cancel a job of the shared queue at URL (docs/cluster.md): a waiting one is
                    removed, a running one is cancelled by its worker; ID is the full id
  --json            print the job as JSON
  -h, --help        this help`;

export const PAUSE_HELP = `Usage: framepack pause [--unload] [--json]

Pauses the queue: the running job finishes, queued jobs wait until \`framepack resume\`.

  --unload       also unload the resident models once the running job is done
  --json         print the queue status as JSON
  -h, --help     this help`;

export const RESUME_HELP = `Usage: framepack resume [--json]

Resumes a paused queue: the next queued job starts.

  --json         print the queue status as JSON
  -h, --help     this help`;

type Client = Awaited<ReturnType<typeof connectDaemon>>['client'];

/**
 * Runs fn with a client, or returns null (after no output) when no daemon runs. A daemon that is
 * up but refused us (too many connections, a protocol mismatch) is an error, not "down": its
 * journal is live, and the user must hear why.
 */
async function tryClient(name: string, fn: (client: Client) => Promise<number>): Promise<number | null> {
  let conn;
  try {
    conn = await connectDaemon({ autoStart: false, name });
  } catch (e: unknown) {
    if (isNotRunning(e)) return null;
    process.stderr.write(`framepack: ${(e as Error).message}\n`);
    return EXIT_FAILURE;
  }
  try {
    return await fn(conn.client);
  } finally {
    conn.client.close();
  }
}

const out = (s: string) => process.stdout.write(`${s}\n`);
const err = (s: string) => process.stderr.write(`framepack: ${s}\n`);

/** A queue position for people: the protocol's 0-based position, counted from 1 (#1 runs next). */
export const humanPosition = (position: number | null): string => `#${(position ?? 0) + 1}`;

export function formatJobs(jobs: readonly Job[], interrupted: readonly string[] = []): string {
  if (jobs.length === 0) return 'no jobs';
  const rows = [['ID', 'STATE', 'PROGRESS', 'CREATED', 'PROMPT']];
  for (const j of jobs) {
    const p = j.progress;
    const eta = j.state === 'running' && p?.etaJobMs !== undefined ? `, ETA ${formatDuration(p.etaJobMs / 1000)}` : '';
    const progress = interrupted.includes(j.id) ? `interrupted, resumes ${humanPosition(j.position)}`
      : j.state === 'queued' ? humanPosition(j.position)
      : j.state !== 'running' ? '-'
      : p?.section ? `section ${p.section.index + 1}/${p.section.total} ${p.stage === 'sample' && p.step ? `step ${p.step.step}/${p.step.steps}` : stageLabel(p.stage)}${eta}`
      : p ? `${stageLabel(p.stage)}${eta}` : '-';
    rows.push([j.id, j.state, progress, j.createdAt.replace('T', ' ').slice(0, 19), j.spec.prompt.replace(/\s+/g, ' ').slice(0, 40)]);
  }
  return table(rows);
}

export function formatJob(j: Job): string {
  const lines = [`${j.id}  ${j.state}${j.state === 'queued' ? ` at position ${humanPosition(j.position)}` : ''}${j.cancelRequested ? ` (cancel ${j.cancelRequested} requested)` : ''}`,
    `prompt:  ${j.spec.prompt}`, `image:   ${j.spec.image}`,
    `params:  ${j.spec.seconds} s, seed ${j.spec.seed}, ${j.spec.steps} steps, model ${j.spec.model ?? 'default'}`];
  if (j.spec.loras?.length) lines.push(`loras:   ${j.spec.loras.map((l) => `${l.path} ×${l.strength}`).join(', ')}`);
  // A finished job's last stage is history, not where it is: shown only while it runs.
  if (j.progress && j.state === 'running') {
    const p = j.progress;
    lines.push(`stage:   ${p.section ? `section ${p.section.index + 1}/${p.section.total}, ` : ''}${stageLabel(p.stage)}, ${p.frames} frames (${p.seconds.toFixed(2)} s) so far${p.etaJobMs !== undefined ? `, ETA ${formatDuration(p.etaJobMs / 1000)}` : ''}`);
  }
  if (j.outputPath) lines.push(`output:  ${j.outputPath}`);
  if (j.partialPath && !j.outputPath) lines.push(`partial: ${j.partialPath}`);
  if (j.error) lines.push(`error:   ${j.error.code} ${j.error.message}`);
  if (j.timing) lines.push(`timing:  ${(j.timing.totalMs / 1000).toFixed(1)} s total, ${(j.timing.loadMs / 1000).toFixed(1)} s loading`);
  return lines.join('\n');
}

const JOBS_OPTIONS = { json: { type: 'boolean' }, state: { type: 'string', multiple: true }, follow: { type: 'boolean' }, queue: { type: 'string' } } as const;

/** The daemon is down: answer from the journal, saying so (on stderr, so --json stays one object). */
function fromJournal(show: (v: JournalView) => number): number {
  const { dataDir } = daemonPaths();
  const view = readJournalView(dataDir);
  if (!view) {
    process.stderr.write(`the daemon is not running and has no journal yet (${dataDir}): no jobs\n`);
    return show({ file: dataDir, jobs: [], interrupted: [] });
  }
  process.stderr.write(`the daemon is not running: the journal's view (${view.file}), as of its last write\n`);
  return show(view);
}

export async function runJobsCommand(argv: string[]): Promise<number> {
  // Subcommands with flags of their own (and their own --help) are parsed by them.
  if (argv[0] === 'move') return runJobsMoveCommand(argv.slice(1));
  if (argv[0] === 'rm') return runJobsRmCommand(argv.slice(1));
  const { values, positionals } = parseFlags('jobs', argv, JOBS_OPTIONS, true);
  if (values.help) return (out(JOBS_HELP), EXIT_OK);
  const json = values.json === true;
  if (typeof values.queue === 'string') {
    if (positionals.length || values.state || values.follow) throw new UsageError('jobs --queue lists the shared queue; it takes only --json');
    const { listQueueCommand } = await import('./cluster-command.js');
    return listQueueCommand(values.queue, json, process.stdout, process.stderr);
  }
  if (positionals[0] === 'show') {
    const ref = positionals[1];
    if (!ref) throw new UsageError('jobs show needs a job id (or a prefix of one, or `last`)');
    if (positionals.length > 2) throw new UsageError(`jobs show: unexpected argument '${positionals[2]}'`);
    const viaDaemon = await tryClient('framepack jobs show', async (client) => {
      const job = await resolveJobRef(client, ref);
      if (!values.follow) return (out(json ? JSON.stringify(job) : formatJob(job)), EXIT_OK);
      return followJob(client, job.id, { json, write: out });
    });
    if (viaDaemon !== null) return viaDaemon;
    if (values.follow) return (err('the daemon is not running: nothing to follow (framepack daemon start)'), EXIT_FAILURE);
    return fromJournal((v) => {
      const job = matchJobRef(v.jobs, ref);
      out(json ? JSON.stringify(job) : formatJob(job));
      return EXIT_OK;
    });
  }
  if (positionals.length) throw new UsageError(`jobs: unknown argument '${positionals[0]}' (subcommands: show, move, rm; did you mean \`jobs show ${positionals[0]}\`?)`);
  const states = values.state?.map((s) => {
    const parsed = JobState.safeParse(s);
    if (!parsed.success) throw new UsageError(`--state must be one of ${JobState.options.join(', ')} (got '${s}')`);
    return parsed.data;
  });
  const viaDaemon = await tryClient('framepack jobs', async (client) => {
    const { jobs } = await client.call('jobs.list', states ? { states } : {});
    // A worker of a shared queue says so: its shared jobs are listed here under their queue ids.
    const { cluster } = await client.call('daemon.status', {});
    const head = cluster ? `worker ${cluster.worker} of the shared queue ${cluster.queue} (framepack jobs --queue … lists it)\n` : '';
    out(json ? JSON.stringify(cluster ? { jobs, cluster } : { jobs }) : `${head}${formatJobs(jobs)}`);
    return EXIT_OK;
  });
  if (viaDaemon !== null) return viaDaemon;
  return fromJournal((v) => {
    const jobs = states ? v.jobs.filter((j) => states.includes(j.state)) : v.jobs;
    out(json ? JSON.stringify({ jobs, source: 'journal', interrupted: v.interrupted }) : formatJobs(jobs, v.interrupted));
    return EXIT_OK;
  });
}

export async function runCancelCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('cancel', argv, { json: { type: 'boolean' }, 'after-section': { type: 'boolean' }, queue: { type: 'string' } }, true);
  if (values.help) return (out(CANCEL_HELP), EXIT_OK);
  const ref = positionals[0];
  if (!ref) throw new UsageError('cancel needs a job id (or a prefix of one, or `last`)');
  if (positionals.length > 1) throw new UsageError(`cancel: unexpected argument '${positionals[1]}' (one job at a time)`);
  if (typeof values.queue === 'string') {
    if (values['after-section']) throw new UsageError('cancel --queue cancels at the next step; --after-section is for a job of this machine\'s daemon');
    const { cancelQueueCommand } = await import('./cluster-command.js');
    return cancelQueueCommand(values.queue, ref, values.json === true, process.stdout, process.stderr);
  }
  return withDaemonClient('framepack cancel', async (client) => {
    const before = await resolveJobRef(client, ref);
    const id = before.id;
    if (isTerminalJobState(before.state)) {
      err(`job ${id} already ${before.state}; nothing to cancel`);
      return EXIT_FAILURE;
    }
    const { job } = await client.call('jobs.cancel', { jobId: id, when: values['after-section'] ? 'after-section' : 'now' });
    if (values.json) out(JSON.stringify(job));
    else if (job.state === 'cancelled') out(`${id} cancelled`);
    else if (isTerminalJobState(job.state)) {
      // It finished between the look-up and the cancel.
      err(`job ${id} already ${job.state}; nothing to cancel`);
      return EXIT_FAILURE;
    } else out(`${id}: cancel ${job.cancelRequested === 'after-section' ? 'after its current section' : 'at the next step'} requested (${job.state})`);
    return EXIT_OK;
  });
}

export async function runPauseCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags('pause', argv, { json: { type: 'boolean' }, unload: { type: 'boolean' } });
  if (values.help) return (out(PAUSE_HELP), EXIT_OK);
  return withDaemonClient('framepack pause', async (client) => {
    const q = await client.call('queue.pause', { unload: values.unload === true });
    out(values.json ? JSON.stringify(q) : `queue paused (${q.queued} waiting${q.running ? `, ${q.running} finishes first` : ''})`);
    return EXIT_OK;
  });
}

export async function runResumeCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags('resume', argv, { json: { type: 'boolean' } });
  if (values.help) return (out(RESUME_HELP), EXIT_OK);
  return withDaemonClient('framepack resume', async (client) => {
    const q = await client.call('queue.resume', {});
    out(values.json ? JSON.stringify(q) : `queue running (${q.queued} waiting)`);
    return EXIT_OK;
  });
}
