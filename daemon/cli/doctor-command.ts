// `framepack doctor`: every diagnostic check (docs/doctor.md) as text, each check printed as it
// finishes, or `--json` (one JSON object: status, provider, checks, gpus, providers, host).
// Exit code 0 when nothing failed (warnings allowed), 1 when a check failed, 2 for bad flags.
import { loadConfig } from '../config.js';
import { formatCheck, formatSummary, runDoctor } from '../diagnostics/doctor.js';
import { parseFlags } from './args.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from './errors.js';

export const DOCTOR_HELP = `Usage: framepack doctor [flags]

Checks Node, onnxruntime and its execution providers, GPUs (nvidia-smi), memory, disk, ffmpeg,
the socket folder and every installed bundle, then runs a short reference generation with the
default bundle and compares it with the checksum recorded for this platform.

  --json               print one JSON object instead of text
  --model NAME         bundle to judge memory and VRAM against (default framepack-tiny)
  --out DIR            output folder whose free space is checked (default: the daemon's output
                       dir, \`framepack config get outputDir\` / FRAMEPACK_OUTPUT_DIR / <data dir>/outputs)
  --full               hash every bundle file (default: trust hashes verified before)
  --quick              skip the reference generation
  --record-reference   record this machine's result as the reference for its platform
  -h, --help           this help`;

export interface DoctorIo { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; env?: NodeJS.ProcessEnv }

export async function runDoctorCommand(argv: string[], io: DoctorIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const { values } = parseFlags('doctor', argv, {
    json: { type: 'boolean' }, model: { type: 'string' }, out: { type: 'string' }, full: { type: 'boolean' },
    quick: { type: 'boolean' }, 'record-reference': { type: 'boolean' },
  });
  if (values.help) { io.stdout.write(`${DOCTOR_HELP}\n`); return EXIT_OK; }
  if (values.quick && values['record-reference']) throw new UsageError('doctor: --record-reference needs the reference generation; drop --quick');
  const json = values.json === true;
  // disk.output judges where the daemon writes videos (its settings and env), not ./outputs.
  const outputDir = values.out ?? loadConfig([], io.env ?? process.env).outputDir;
  const report = await runDoctor({
    ...(values.model ? { model: values.model } : {}), outputDir,
    fullVerify: values.full === true, skipGeneration: values.quick === true, recordReference: values['record-reference'] === true,
    ...(json ? {} : { onCheck: (c) => io.stdout.write(`${formatCheck(c)}\n`) }),
  });
  if (json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else io.stdout.write(`\n${formatSummary(report)}`);
  return report.status === 'fail' ? EXIT_FAILURE : EXIT_OK;
}
