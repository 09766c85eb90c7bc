// `framepack jobs [--state S]… [--json]`, `framepack jobs show ID [--follow] [--json]`,
// `framepack cancel ID [--after-section]`, `framepack pause [--unload]`, `framepack resume`:
// the queue as seen from the command line. None of them starts a daemon.
import { parseArgs } from 'node:util';
import { JobState, type Job } from '../../shared/protocol/index.js';
import { connectDaemon } from './daemon-client.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from './errors.js';
import { followJob } from './follow-job.js';
import { table } from './format.js';

export const JOBS_HELP = `Usage: framepack jobs [--state queued|running|succeeded|failed|cancelled]... [--json]
       framepack jobs show ID [--follow] [--json]
       framepack cancel ID [--after-section] [--json]
       framepack pause [--unload] [--json]
       framepack resume [--json]`;

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options: {
      json: { type: 'boolean' }, state: { type: 'string', multiple: true }, follow: { type: 'boolean' },
      'after-section': { type: 'boolean' }, unload: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    } });
  } catch (err: unknown) {
    throw new UsageError((err as Error).message);
  }
}

async function withClient(name: string, fn: (client: Awaited<ReturnType<typeof connectDaemon>>['client']) => Promise<number>): Promise<number> {
  let conn;
  try {
    conn = await connectDaemon({ autoStart: false, name });
  } catch (err: unknown) {
    process.stderr.write(`framepack: ${(err as Error).message}\n`);
    return EXIT_FAILURE;
  }
  try {
    return await fn(conn.client);
  } finally {
    conn.client.close();
  }
}

const out = (s: string) => process.stdout.write(`${s}\n`);

export function formatJobs(jobs: readonly Job[]): string {
  if (jobs.length === 0) return 'no jobs';
  const rows = [['ID', 'STATE', 'PROGRESS', 'CREATED', 'PROMPT']];
  for (const j of jobs) {
    const p = j.progress;
    const progress = j.state === 'queued' ? `#${j.position}` : p?.section ? `section ${p.section.index + 1}/${p.section.total}${p.step ? ` step ${p.step.step}/${p.step.steps}` : ''}` : p?.stage ?? '-';
    rows.push([j.id, j.state, progress, j.createdAt.replace('T', ' ').slice(0, 19), j.spec.prompt.replace(/\s+/g, ' ').slice(0, 40)]);
  }
  return table(rows);
}

export function formatJob(j: Job): string {
  const lines = [`${j.id}  ${j.state}${j.cancelRequested ? ` (cancel ${j.cancelRequested} requested)` : ''}`, `prompt:  ${j.spec.prompt}`, `image:   ${j.spec.image}`,
    `params:  ${j.spec.seconds} s, seed ${j.spec.seed}, ${j.spec.steps} steps, model ${j.spec.model ?? 'default'}`];
  if (j.progress) lines.push(`stage:   ${j.progress.stage}, ${j.progress.frames} frames (${j.progress.seconds.toFixed(2)} s) so far`);
  if (j.outputPath) lines.push(`output:  ${j.outputPath}`);
  if (j.partialPath && !j.outputPath) lines.push(`partial: ${j.partialPath}`);
  if (j.error) lines.push(`error:   ${j.error.code} ${j.error.message}`);
  if (j.timing) lines.push(`timing:  ${(j.timing.totalMs / 1000).toFixed(1)} s total, ${(j.timing.loadMs / 1000).toFixed(1)} s loading`);
  return lines.join('\n');
}

export async function runJobsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv);
  if (values.help) return (out(JOBS_HELP), EXIT_OK);
  if (positionals[0] === 'show') {
    const id = positionals[1];
    if (!id) throw new UsageError('jobs show needs a job id');
    return withClient('framepack jobs show', async (client) => {
      const { job } = await client.call('jobs.get', { jobId: id });
      if (!values.follow) return (out(values.json ? JSON.stringify(job) : formatJob(job)), EXIT_OK);
      return followJob(client, id, { json: values.json === true, write: out });
    });
  }
  if (positionals.length) throw new UsageError(`unknown argument '${positionals[0]}' for jobs`);
  const states = values.state?.map((s) => {
    const parsed = JobState.safeParse(s);
    if (!parsed.success) throw new UsageError(`--state must be one of ${JobState.options.join(', ')} (got '${s}')`);
    return parsed.data;
  });
  return withClient('framepack jobs', async (client) => {
    const { jobs } = await client.call('jobs.list', states ? { states } : {});
    out(values.json ? JSON.stringify({ jobs }) : formatJobs(jobs));
    return EXIT_OK;
  });
}

export async function runCancelCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv);
  if (values.help) return (out(JOBS_HELP), EXIT_OK);
  const id = positionals[0];
  if (!id) throw new UsageError('cancel needs a job id');
  return withClient('framepack cancel', async (client) => {
    const { job } = await client.call('jobs.cancel', { jobId: id, when: values['after-section'] ? 'after-section' : 'now' });
    out(values.json ? JSON.stringify(job) : job.state === 'cancelled' ? `${id} cancelled` : `${id}: cancel (${job.cancelRequested ?? 'none'}) requested; state ${job.state}`);
    return EXIT_OK;
  });
}

export async function runPauseCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv);
  return withClient('framepack pause', async (client) => {
    const q = await client.call('queue.pause', { unload: values.unload === true });
    out(values.json ? JSON.stringify(q) : `queue paused (${q.queued} waiting${q.running ? `, ${q.running} finishes first` : ''})`);
    return EXIT_OK;
  });
}

export async function runResumeCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv);
  return withClient('framepack resume', async (client) => {
    const q = await client.call('queue.resume', {});
    out(values.json ? JSON.stringify(q) : `queue running (${q.queued} waiting)`);
    return EXIT_OK;
  });
}
