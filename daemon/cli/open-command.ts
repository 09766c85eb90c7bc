// `framepack open ID`: play a job's video (the final MP4, else its newest partial) with the
// configured player: the `player` setting, else $FRAMEPACK_PLAYER, else the system opener
// (xdg-open on Linux, open on macOS). The player is started detached and left running.
import { spawn } from 'node:child_process';
import { getSetting } from '../settings.js';
import { connectDaemon, daemonPaths } from './daemon-client.js';
import { parseFlags } from './args.js';
import { EXIT_OK, UsageError } from './errors.js';
import { JobNotFoundError, matchJobRef, resolveJobRef } from './job-ref.js';
import { readJournalView } from './journal-view.js';
import type { Job } from '../../shared/protocol/index.js';
import { playerArgsFor, splitCommandLine } from '../../shared/settings/player-command.js';

export const OPEN_HELP = `Usage: framepack open ID [--print]

ID is a job id, a unique prefix of one, or \`last\` (the newest job).
Opens the job's video (the final MP4, or the newest partial while it runs) in the player:
the \`player\` setting (framepack config set player "mpv --loop"), else $FRAMEPACK_PLAYER, else
xdg-open (Linux) / open (macOS). The video's path is appended to the player command, or replaces
an argument that is exactly {} ("mpv {} --loop"). --print only prints the path. With the daemon
down, the job is looked up in its journal.`;

/** The player command as argv: settings, env, then the platform's opener. */
export function playerCommand(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): { argv: string[]; source: string } {
  const configured = getSetting('player', env);
  if (typeof configured === 'string' && configured.trim()) return { argv: splitCommand(configured), source: 'the player setting' };
  if (env.FRAMEPACK_PLAYER?.trim()) return { argv: splitCommand(env.FRAMEPACK_PLAYER), source: '$FRAMEPACK_PLAYER' };
  return { argv: [platform === 'darwin' ? 'open' : platform === 'win32' ? 'explorer' : 'xdg-open'], source: 'the system opener' };
}

/** Splits a command line on spaces, keeping "double" or 'single' quoted parts together (as the dashboard). */
export const splitCommand = splitCommandLine;

/** Starts the player detached (the file replaces a `{}` argument, else is appended); rejects with one clear line when it cannot be started. */
export function launchPlayer(argv: string[], file: string, source: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, playerArgsFor(argv.slice(1), file), { detached: true, stdio: 'ignore', env });
    child.once('error', (err: NodeJS.ErrnoException) => reject(new Error(err.code === 'ENOENT'
      ? `no video player: '${argv[0]}' (from ${source}) was not found; set one with \`framepack config set player mpv\` or $FRAMEPACK_PLAYER`
      : `could not start '${argv[0]}': ${err.message}`)));
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}

/** The job from the daemon, or, when none runs, from its journal (a finished video needs no daemon). */
async function findJob(ref: string): Promise<Job> {
  let conn;
  try {
    conn = await connectDaemon({ autoStart: false, name: 'framepack open' });
  } catch (err: unknown) {
    const view = readJournalView(daemonPaths().dataDir);
    if (!view) throw err;
    try {
      return matchJobRef(view.jobs, ref);
    } catch (notFound: unknown) {
      if (notFound instanceof JobNotFoundError) throw new Error(`${(notFound as Error).message}; the daemon is not running, so only its journal was searched`);
      throw notFound;
    }
  }
  try {
    return await resolveJobRef(conn.client, ref);
  } finally {
    conn.client.close();
  }
}

export async function runOpenCommand(argv: string[]): Promise<number> {
  const parsed = parseFlags('open', argv, { print: { type: 'boolean' } }, true);
  if (parsed.values.help) return (process.stdout.write(`${OPEN_HELP}\n`), EXIT_OK);
  const [id, ...extra] = parsed.positionals;
  if (!id || extra.length) throw new UsageError('usage: framepack open ID (a job id, a prefix of one, or `last`)');
  const job = await findJob(id);
  const file = job.outputPath ?? job.partialPath;
  if (!file) throw new Error(`job ${job.id} has no video yet (${job.state})`);
  if (parsed.values.print) return (process.stdout.write(`${file}\n`), EXIT_OK);
  const player = playerCommand();
  await launchPlayer(player.argv, file, player.source);
  process.stdout.write(`${file}\n`);
  return EXIT_OK;
}
