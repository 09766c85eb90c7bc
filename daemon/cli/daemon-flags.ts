// `daemon start|restart|run` flags are checked here, in the CLI, before any daemon is spawned: a
// bad flag is one usage line (exit 2) at once, instead of a daemon that dies on it while the CLI
// waits for its socket. The check is the daemon's own parser (loadConfig), so both agree.
import { loadConfig, SETTINGS } from '../config.js';
import { didYouMean } from './args.js';
import { UsageError } from './errors.js';

export function validateDaemonFlags(sub: string, flags: readonly string[], env: NodeJS.ProcessEnv = process.env): void {
  // Only the flags are judged here: FRAMEPACK_* env values stay the daemon's to report.
  const flagsOnly = Object.fromEntries(Object.entries(env).filter(([k]) => !SETTINGS.some((s) => s.env === k)));
  try {
    loadConfig(flags, flagsOnly);
  } catch (err: unknown) {
    if (!(err instanceof RangeError)) throw err;
    const unknown = /^unknown flag '([^']+)'/.exec(err.message)?.[1];
    if (unknown !== undefined) {
      const hint = didYouMean(unknown, [...SETTINGS.map((s) => s.flag), '--json']);
      throw new UsageError(`daemon ${sub}: unknown flag ${unknown}${hint} (see framepack daemon --help)`);
    }
    throw new UsageError(`daemon ${sub}: ${err.message}`);
  }
}
