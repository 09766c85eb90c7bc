// `framepack generate`: one image and a prompt in, an MP4 out. By default the job goes through
// the daemon (auto-started; daemon-generate.ts); `--local` runs the pipeline in this process.
// Either way the flags are validated here first (bad input: one line, exit 2, nothing started).
// Progress goes to stderr (an updating line on a TTY, plain lines otherwise); the output path goes
// to stdout. With --json every event is one JSON line on stdout, and the last line is
// job.succeeded (with `output`) or job.failed (with `error`).
import { generateVideo } from '../engine/pipeline/pipeline.js';
import type { PipelineEvent } from '../engine/pipeline/events.js';
import { parseProviderRequest, type ProviderRequest } from '../diagnostics/provider-selection.js';
import { loadInputImage } from '../media/image-input.js';
import { checkDirectingImages } from '../engine/pipeline/directing-inputs.js';
import { generateViaDaemon } from './daemon-generate.js';
import { checkLoraFlags } from './lora-plan.js';
import { parseFlags } from './args.js';
import { EXIT_OK, UsageError, reportError } from './errors.js';
import { ALL_JOB_OPTIONS, JOB_FLAGS_HELP, resolveJob } from './job-args.js';
import { localOutProblem, outFormatProblem } from './out-flag.js';
import { eventJson, plainProgress, ttyProgress, type ProgressWriter } from './progress.js';

export const GENERATE_HELP = `Usage: framepack generate --image PATH --prompt TEXT [flags]

Generates a video from one image and a prompt and writes an H.264 MP4 (30 fps, 36·N + 1 frames for
N sections), its JSON sidecar, the bucketed start image and one partial MP4 per section. The job
runs in the background daemon (started when absent, models stay warm between jobs) unless --local.

${JOB_FLAGS_HELP}
  -o, --out PATH          a .mp4 file, or a folder for <time>_seed<seed>.mp4 (the folder must exist;
                          --local creates missing folders); other formats (.avi, .gif, …) are refused;
                          default: the daemon's output dir (framepack config get outputDir); --local: ./outputs
  --overwrite             replace an existing file at --out that framepack did not write
  --no-partials           do not write the per-section partial videos
  --wait                  follow the job to its end and print the MP4 path (the default);
                          Ctrl-C cancels the job (keeping its last partial video)
  --detach                only enqueue: print the job id and exit (follow with jobs show ID --follow)
  --queue URL             submit to the shared queue at URL (redis://host:6379/0, rediss://…)
                          instead of the local daemon: any worker runs it; --wait brings the
                          MP4 back here through Redis, --detach prints the id; the job's
                          images, --extend video and LoRA files travel with it (docs/cluster.md);
                          framepack cancel ID --queue URL cancels it
  --local                 run in this process instead of the daemon
  --provider NAME         --local only: auto | cpu | cuda | webgpu. auto = CUDA, else WebGPU,
                          else the CPU (says which and why); a named provider that is not
                          usable fails with the missing piece and its fix                default auto`;

export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
}

export async function runGenerateCommand(argv: string[], io: CommandIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const { values } = parseFlags('generate', argv, ALL_JOB_OPTIONS);
  if (values.help) {
    io.stdout.write(`${GENERATE_HELP}\n`);
    return EXIT_OK;
  }
  const provider = values.provider;
  let request: ProviderRequest | undefined;
  try { request = parseProviderRequest(provider, '--provider'); } catch (err: unknown) { throw new UsageError((err as Error).message); }
  if (values.wait === true && values.detach === true) throw new UsageError('--wait and --detach contradict each other');
  const local = values.local === true;
  if (!local && provider !== undefined) throw new UsageError('--provider works only with --local (the daemon picks its provider when it starts: FRAMEPACK_EP=auto|cpu|cuda|webgpu, or `framepack config set provider …`)');
  if (local && values.detach === true) throw new UsageError('--detach needs the daemon (drop --local)');
  const outFormat = typeof values.out === 'string' ? outFormatProblem(values.out) : null;
  if (outFormat) throw new UsageError(`--out: ${outFormat}`);
  const { spec, manifest, extendJob } = await resolveJob(values);
  if (local && extendJob !== undefined) throw new UsageError('--extend-job needs the daemon (it knows the job\'s output); with --local use --extend <the job\'s .mp4>');
  // Bad LoRAs fail here (exit 2) in both modes, before a job exists.
  await checkLoraFlags(manifest, spec.loras ?? []);
  // An unreadable end or keyframe image is a usage error before anything starts (both modes).
  await checkDirectingImages(spec).catch((err: unknown) => { throw new UsageError((err as Error).message); });

  const json = values.json === true;
  const progress: ProgressWriter | null = json ? null : io.stderr.isTTY ? ttyProgress(io.stderr) : plainProgress(io.stderr);
  if (typeof values.queue === 'string') {
    if (local) throw new UsageError('--queue and --local contradict each other');
    if (values.overwrite === true) throw new UsageError('--overwrite: a shared-queue job writes its video here only with --wait, and replaces nothing framepack did not write');
    if (spec.extendVideo === null && extendJob === undefined) await loadInputImage(spec.imagePath);
    // Loaded only now: a single-machine `generate` never imports bullmq.
    const { generateViaQueue } = await import('./cluster-command.js');
    return generateViaQueue({
      ...(extendJob !== undefined ? { extendJob } : {}),
      queue: values.queue, spec, model: typeof values.model === 'string' ? values.model : undefined, out: values.out, partials: values['no-partials'] !== true,
      detach: values.detach === true, json, stdout: io.stdout, stderr: io.stderr, progress,
    });
  }
  if (!local) {
    // The daemon validates again, but a bad image should fail here with exit 2 before anything starts.
    if (spec.extendVideo === null && extendJob === undefined) await loadInputImage(spec.imagePath);
    return generateViaDaemon({
      ...(extendJob !== undefined ? { extendJob } : {}),
      spec, model: typeof values.model === 'string' ? values.model : undefined, out: values.out, partials: values['no-partials'] !== true,
      overwrite: values.overwrite === true,
      detach: values.detach === true, json, stdout: io.stdout, stderr: io.stderr, progress,
    });
  }
  const outProblem = await localOutProblem(typeof values.out === 'string' ? values.out : undefined, { overwrite: values.overwrite === true });
  if (outProblem) throw new UsageError(`--out: ${outProblem}`);
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
      executionProvider: request ?? 'auto',
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
