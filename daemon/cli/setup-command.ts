// `framepack setup gpu`: installs onnxruntime-node's CUDA execution provider with its own install
// script, then re-runs the execution-provider checks (daemon/diagnostics/setup-gpu.ts). Offline it
// prints what failed and where to place the files by hand. Exit 0 when CUDA is usable afterwards,
// 1 when not, 2 for bad flags.
import { formatCheck } from '../diagnostics/doctor.js';
import { providerChecks } from '../diagnostics/ort-checks.js';
import { setupGpu } from '../diagnostics/setup-gpu.js';
import { queryGpus } from '../telemetry/nvidia-smi.js';
import { parseFlags } from './args.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from './errors.js';

export const SETUP_HELP = `Usage: framepack setup gpu [--json]

Downloads onnxruntime-node's CUDA execution provider (skipped at npm install) by running
node_modules/onnxruntime-node/script/install.js, then checks that a CUDA session runs.
Needs internet access to api.nuget.org (or GLOBAL_AGENT_HTTPS_PROXY); offline it prints the
files to place by hand.`;

export async function runSetupCommand(argv: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const parsed = parseFlags('setup', argv, { json: { type: 'boolean' } }, true);
  const { values, positionals } = parsed;
  if (values.help) { io.stdout.write(`${SETUP_HELP}\n`); return EXIT_OK; }
  if (positionals.length !== 1 || positionals[0] !== 'gpu') throw new UsageError(`setup: expected \`framepack setup gpu\`${positionals[0] ? ` (got '${positionals[0]}')` : ''}`);
  if (!values.json) io.stderr.write('installing the CUDA execution provider (onnxruntime-node install script)…\n');
  const [result, gpus] = await Promise.all([setupGpu(), queryGpus()]);
  const checks = providerChecks(result.providers, gpus.available && gpus.gpus.length > 0);
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ status: result.status, lines: result.lines, plan: result.plan, scriptError: result.script?.error ?? null, checks }, null, 2)}\n`);
  } else {
    io.stdout.write(`${result.lines.join('\n')}\n\n${checks.map(formatCheck).join('\n')}\n`);
  }
  return result.status === 'installed' || result.status === 'already-usable' ? EXIT_OK : EXIT_FAILURE;
}
