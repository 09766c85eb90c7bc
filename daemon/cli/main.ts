// The `framepack` command line: generate, plan, the daemon's commands, doctor, models, setup.
// Each subcommand parses its own flags (node:util parseArgs) and returns an exit code; errors end
// as one line on stderr (errors.ts: 2 for usage, 1 for failures, 130 for a cancel).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { didYouMean, wantsHelp } from './args.js';
import { EXIT_OK, EXIT_USAGE, reportError, UsageError } from './errors.js';
import { GENERATE_HELP, runGenerateCommand } from './generate-command.js';
import { PLAN_HELP, runPlanCommand } from './plan-command.js';
import { DOCTOR_HELP, runDoctorCommand } from './doctor-command.js';
import { MODELS_HELP, runModelsCommand } from './models-command.js';
import { SETUP_HELP, runSetupCommand } from './setup-command.js';
import { DAEMON_HELP, runDaemonCommand } from './daemon-command.js';
import { PS_HELP, runPsCommand } from './ps-command.js';
import { LOAD_HELP, runLoadCommand, runUnloadCommand } from './load-command.js';
import { CONFIG_HELP, runConfigCommand } from './config-command.js';
import { PRESETS_HELP, runPresetsCommand } from './presets-command.js';
import { LOGS_HELP, runLogsCommand } from './logs-command.js';
import { OPEN_HELP, runOpenCommand } from './open-command.js';
import { JOBS_MOVE_HELP, JOBS_RM_HELP } from './queue-edit-command.js';
import { CANCEL_HELP, JOBS_HELP, PAUSE_HELP, RESUME_HELP, runCancelCommand, runJobsCommand, runPauseCommand, runResumeCommand } from './jobs-command.js';

export const MAIN_HELP = `Usage: framepack                      (no arguments, in a terminal: open the dashboard)
       framepack <command> [flags]

Commands:
  generate   make a video from an image and a prompt (framepack generate --help)
  plan       show the bucket, sections, frames and σ schedule a generate would use
  daemon     start, stop, restart or inspect the background daemon (framepack daemon --help)
  jobs       list the daemon's jobs, or show/follow one (jobs show ID --follow);
             reorder or remove queued ones (jobs move ID --front|--back|--to N, jobs rm ID)
             (ID: a job id, a unique prefix of one, or \`last\`)
  cancel     cancel a job now or after its current section (cancel ID [--after-section])
  pause      pause the queue; resume: resume it
  open       play a job's video (open ID; player from settings, $FRAMEPACK_PLAYER or xdg-open)
  logs       the daemon's log (logs [-f] [-n N] [--json])
  config     user settings: config get|set|unset|list|path (data dir, output dir, player, …)
  presets    saved job parameters: presets ls|save NAME [flags]|rm NAME; generate --preset NAME
  ps         the daemon's resident model components, their memory and keep-alive
  load       load a bundle's components into the daemon; unload: release them
  doctor     check this machine, the runtimes, GPUs, ffmpeg and model bundles
  models     list, verify, remove, import, pull or calibrate model bundles (framepack models --help)
  setup gpu  install onnxruntime-node's CUDA execution provider (needs network)

Flags:
  -h, --help     this help (or \`framepack <command> --help\`; no command runs with --help)
  --version      print the version`;

const COMMAND_HELP: Record<string, string> = {
  generate: GENERATE_HELP, plan: PLAN_HELP, doctor: DOCTOR_HELP, models: MODELS_HELP, setup: SETUP_HELP,
  daemon: DAEMON_HELP, ps: PS_HELP, load: LOAD_HELP, unload: LOAD_HELP,
  jobs: JOBS_HELP, cancel: CANCEL_HELP, pause: PAUSE_HELP, resume: RESUME_HELP,
  open: OPEN_HELP, logs: LOGS_HELP, config: CONFIG_HELP, presets: PRESETS_HELP,
};

/** Subcommands with flags of their own: `jobs move --help` shows theirs, not the command's. */
const SUBCOMMAND_HELP: Record<string, string> = { 'jobs move': JOBS_MOVE_HELP, 'jobs rm': JOBS_RM_HELP };

export function version(): string {
  const pkg = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export const COMMANDS = [...Object.keys(COMMAND_HELP), 'help'];

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    // -h/--help anywhere in a command's arguments shows its help and does nothing else (a
    // `daemon stop --help` must not stop the daemon); each command also checks, for in-process callers.
    if (command !== undefined && Object.hasOwn(COMMAND_HELP, command) && wantsHelp(rest)) {
      process.stdout.write(`${SUBCOMMAND_HELP[`${command} ${rest[0]}`] ?? COMMAND_HELP[command]}\n`);
      return EXIT_OK;
    }
    switch (command) {
      case undefined:
        process.stderr.write(`${MAIN_HELP}\n`);
        return EXIT_USAGE;
      case '-h': case '--help': case 'help':
        if (rest[0] !== undefined && !Object.hasOwn(COMMAND_HELP, rest[0])) throw new UsageError(`help: unknown command '${rest[0]}'${didYouMean(rest[0], COMMANDS)} (see framepack --help)`);
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
      case 'daemon':
        return await runDaemonCommand(rest);
      case 'ps':
        return await runPsCommand(rest);
      case 'load':
        return await runLoadCommand(rest);
      case 'unload':
        return await runUnloadCommand(rest);
      case 'jobs':
        return await runJobsCommand(rest);
      case 'cancel':
        return await runCancelCommand(rest);
      case 'pause':
        return await runPauseCommand(rest);
      case 'resume':
        return await runResumeCommand(rest);
      case 'open':
        return await runOpenCommand(rest);
      case 'logs':
        return await runLogsCommand(rest);
      case 'config':
        return await runConfigCommand(rest);
      case 'presets':
        return await runPresetsCommand(rest);
      default:
        if (command.startsWith('-')) throw new UsageError(`unknown flag ${command}${didYouMean(command, ['--help', '--version'])} (see framepack --help)`);
        throw new UsageError(`unknown command '${command}'${didYouMean(command, COMMANDS)} (see framepack --help)`);
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
