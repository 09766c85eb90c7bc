// The `framepack` command line: `framepack generate …`, `framepack plan …`, `--help`, `--version`.
// Each subcommand parses its own flags (node:util parseArgs) and returns an exit code; errors end
// as one line on stderr (errors.ts: 2 for usage, 1 for failures, 130 for a cancel).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EXIT_OK, EXIT_USAGE, reportError, UsageError } from './errors.js';
import { GENERATE_HELP, runGenerateCommand } from './generate-command.js';
import { PLAN_HELP, runPlanCommand } from './plan-command.js';
import { DOCTOR_HELP, runDoctorCommand } from './doctor-command.js';
import { MODELS_HELP, runModelsCommand } from './models-command.js';
import { SETUP_HELP, runSetupCommand } from './setup-command.js';

export const MAIN_HELP = `Usage: framepack <command> [flags]

Commands:
  generate   make a video from an image and a prompt (framepack generate --help)
  plan       show the bucket, sections, frames and σ schedule a generate would use
  doctor     check this machine, the runtimes, GPUs, ffmpeg and model bundles
  models     list, verify, remove, import or pull model bundles (framepack models --help)
  setup gpu  install onnxruntime-node's CUDA execution provider (needs network)

Flags:
  -h, --help     this help (or \`framepack <command> --help\`)
  --version      print the version`;

const COMMAND_HELP: Record<string, string> = {
  generate: GENERATE_HELP, plan: PLAN_HELP, doctor: DOCTOR_HELP, models: MODELS_HELP, setup: SETUP_HELP,
};

export function version(): string {
  const pkg = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
        process.stderr.write(`${MAIN_HELP}\n`);
        return EXIT_USAGE;
      case '-h': case '--help': case 'help':
        process.stdout.write(`${COMMAND_HELP[rest[0] ?? ''] ?? MAIN_HELP}\n`);
        return EXIT_OK;
      case '--version': case '-v':
        process.stdout.write(`framepack ${version()}\n`);
        return EXIT_OK;
      case 'generate':
        return await runGenerateCommand(rest);
      case 'plan':
        return await runPlanCommand(rest);
      case 'doctor':
        return await runDoctorCommand(rest);
      case 'models':
        return await runModelsCommand(rest);
      case 'setup':
        return await runSetupCommand(rest);
      default:
        throw new UsageError(`unknown command '${command}' (try generate, plan, doctor, models, setup or --help)`);
    }
  } catch (err: unknown) {
    return reportError(err);
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith(path.join('cli', 'main.ts'))) {
  const code = await main(process.argv.slice(2));
  // Let stdout drain before exiting (piped NDJSON).
  process.exitCode = code;
}
