// `framepack open ID`: play a job's video (the final MP4, else its newest partial) with the
// configured player: the `player` setting, else $FRAMEPACK_PLAYER, else the system opener
// (xdg-open on Linux, open on macOS). The player is started detached and left running.
import { spawn } from 'node:child_process';
import { getSetting } from '../settings.js';
import { connectDaemon } from './daemon-client.js';
import { parseFlags } from './args.js';
import { EXIT_OK, UsageError } from './errors.js';
import { resolveJobRef } from './job-ref.js';

export const OPEN_HELP = `Usage: framepack open ID [--print]

ID is a job id, a unique prefix of one, or \`last\` (the newest job).
Opens the job's video (the final MP4, or the newest partial while it runs) in the player:
the \`player\` setting (framepack config set player "mpv --loop"), else $FRAMEPACK_PLAYER, else
xdg-open (Linux) / open (macOS). --print only prints the path.`;

/** The player command as argv: settings, env, then the platform's opener. */
export function playerCommand(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): { argv: string[]; source: string } {
  const configured = getSetting('player', env);
  if (typeof configured === 'string' && configured.trim()) return { argv: splitCommand(configured), source: 'the player setting' };
  if (env.FRAMEPACK_PLAYER?.trim()) return { argv: splitCommand(env.FRAMEPACK_PLAYER), source: '$FRAMEPACK_PLAYER' };
  return { argv: [platform === 'darwin' ? 'open' : platform === 'win32' ? 'explorer' : 'xdg-open'], source: 'the system opener' };
}

/** Splits a command line on spaces, keeping "double" or 'single' quoted parts together. */
export function splitCommand(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** Starts the player detached; rejects with one clear line when it cannot be started. */
export function launchPlayer(argv: string[], file: string, source: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, [...argv.slice(1), file], { detached: true, stdio: 'ignore', env });
    child.once('error', (err: NodeJS.ErrnoException) => reject(new Error(err.code === 'ENOENT'
      ? `no video player: '${argv[0]}' (from ${source}) was not found; set one with \`framepack config set player mpv\` or $FRAMEPACK_PLAYER`
      : `could not start '${argv[0]}': ${err.message}`)));
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}

export async function runOpenCommand(argv: string[]): Promise<number> {
  const parsed = parseFlags('open', argv, { print: { type: 'boolean' } }, true);
  if (parsed.values.help) return (process.stdout.write(`${OPEN_HELP}\n`), EXIT_OK);
  const [id, ...extra] = parsed.positionals;
  if (!id || extra.length) throw new UsageError('usage: framepack open ID (a job id, a prefix of one, or `last`)');
  const { client } = await connectDaemon({ autoStart: false, name: 'framepack open' });
  let file: string | null;
  try {
    const job = await resolveJobRef(client, id);
    file = job.outputPath ?? job.partialPath;
    if (!file) throw new Error(`job ${job.id} has no video yet (${job.state})`);
  } finally {
    client.close();
  }
  if (parsed.values.print) return (process.stdout.write(`${file}\n`), EXIT_OK);
  const player = playerCommand();
  await launchPlayer(player.argv, file, player.source);
  process.stdout.write(`${file}\n`);
  return EXIT_OK;
}
