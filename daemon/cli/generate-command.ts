// `framepack generate`: one image and a prompt in, an MP4 out. Runs the pipeline in this process
// (`--local`, the only mode until the daemon exists). Progress goes to stderr (an updating line on
// a TTY, plain lines otherwise); the output path goes to stdout. With --json every event is one
// JSON line on stdout, and the last line is job.succeeded (with `output`) or job.failed.
import { parseArgs } from 'node:util';
import { generateVideo } from '../engine/pipeline/pipeline.js';
import type { PipelineEvent } from '../engine/pipeline/events.js';
import type { ExecutionProviderName } from '../engine/pipeline/sessions.js';
import { EXIT_OK, UsageError, reportError } from './errors.js';
import { ALL_JOB_OPTIONS, JOB_FLAGS_HELP, resolveJob } from './job-args.js';
import { eventJson, plainProgress, ttyProgress, type ProgressWriter } from './progress.js';

export const GENERATE_HELP = `Usage: framepack generate --image PATH --prompt TEXT [flags]

Generates a video from one image and a prompt and writes an H.264 MP4 (30 fps, 36·N + 1 frames for
N sections), its JSON sidecar, the bucketed start image and one partial MP4 per section.

${JOB_FLAGS_HELP}
  -o, --out PATH          a .mp4 file, or a folder for <time>_seed<seed>.mp4               default ./outputs
  --no-partials           do not write the per-section partial videos
  --provider NAME         cpu | cuda (falls back to cpu with a warning when missing)       default cpu
  --local                 run in this process (the default until the daemon exists)`;

export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
}

export async function runGenerateCommand(argv: string[], io: CommandIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: ALL_JOB_OPTIONS, allowPositionals: false, strict: true }));
  } catch (err: unknown) {
    throw new UsageError(`generate: ${(err as Error).message.split('\n')[0]}`);
  }
  if (values.help) {
    io.stdout.write(`${GENERATE_HELP}\n`);
    return EXIT_OK;
  }
  const provider = values.provider;
  if (provider !== undefined && provider !== 'cpu' && provider !== 'cuda') throw new UsageError(`--provider must be one of cpu, cuda (got ${JSON.stringify(provider)})`);
  const { spec } = await resolveJob(values);

  const json = values.json === true;
  const progress: ProgressWriter | null = json ? null : io.stderr.isTTY ? ttyProgress(io.stderr) : plainProgress(io.stderr);
  const onEvent = (e: PipelineEvent) => {
    if (json) io.stdout.write(`${eventJson(e)}\n`);
    else progress!.write(e);
  };

  // First Ctrl-C cancels the job (partial videos stay); a second one exits at once.
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    controller.abort(new DOMException('cancelled by the user', 'AbortError'));
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    const output = await generateVideo(spec, {
      onEvent, signal: controller.signal, partials: values['no-partials'] !== true,
      ...(values.out !== undefined ? { out: values.out } : {}),
      ...(provider !== undefined ? { executionProvider: provider as ExecutionProviderName } : {}),
    });
    progress?.finish();
    if (!json) io.stdout.write(`${output}\n`);
    return EXIT_OK;
  } catch (err: unknown) {
    progress?.finish();
    // In --json mode the job.failed line is already on stdout; the one-line reason goes to stderr too.
    return reportError(err, io.stderr);
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}
