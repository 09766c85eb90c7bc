// `framepack daemon start|stop|status|restart|run`: lifecycle of the background daemon. `run`
// stays in the foreground (for service managers); `start` spawns it detached with its output in
// <data dir>/daemon.log; `status --json` prints pid, versions and the socket path.
import { fileSize, isNotRunning, readFrom } from '../../shared/ipc/ensure-daemon.js';
import { readRegistration } from '../lifecycle/registration.js';
import { pidAlive } from '../lifecycle/claim-instance.js';
import { settingsHelp } from '../config.js';
import { runDaemon } from '../main.js';
import { connectDaemon, daemonPaths } from './daemon-client.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from './errors.js';
import { didYouMean, wantsHelp } from './args.js';
import { validateDaemonFlags } from './daemon-flags.js';
import { formatBytes } from './format.js';

export const DAEMON_HELP = `Usage: framepack daemon <start|stop|status|restart|run> [flags]

  start     start the daemon in the background (no-op when it runs)
  stop      ask the daemon to finish its running section and exit
  status    pid, versions, socket, queue (--json for scripts); exit 1 when not running or it refuses the connection
  restart   stop, then start
  run       run in the foreground (for systemd and friends)

Settings (flags for start/run/restart, or env; both override \`framepack config\` settings):
${settingsHelp()}`;

const STOP_TIMEOUT_MS = 120_000;

function takeJson(args: string[]): { json: boolean; rest: string[] } {
  return { json: args.includes('--json'), rest: args.filter((a) => a !== '--json') };
}

async function status(json: boolean): Promise<number> {
  const paths = daemonPaths();
  let conn;
  try {
    conn = await connectDaemon({ autoStart: false, name: 'framepack daemon status' });
  } catch (err: unknown) {
    if (!isNotRunning(err)) {
      // Something answers on the socket but would not serve us (a connection limit, another
      // protocol, a timeout): that is not "not running", which would invite a second start.
      const message = err instanceof Error ? err.message : String(err);
      if (json) process.stdout.write(`${JSON.stringify({ running: true, error: message, socketPath: paths.socketFile })}\n`);
      else process.stdout.write(`running, but it refused this connection: ${message}\n`);
      return EXIT_FAILURE;
    }
    if (json) process.stdout.write(`${JSON.stringify({ running: false, socketPath: paths.socketFile })}\n`);
    else process.stdout.write(`not running (socket ${paths.socketFile})\n`);
    return EXIT_FAILURE;
  }
  try {
    const s = await conn.client.call('daemon.status', {});
    const registration = readRegistration(paths.socketFile);
    if (json) {
      process.stdout.write(`${JSON.stringify({ running: true, ...s, dataDir: registration?.dataDir ?? paths.dataDir, logFile: registration?.logFile ?? paths.logFile, engine: registration?.engine ?? null })}\n`);
      return EXIT_OK;
    }
    const lines = [
      `running: pid ${s.pid}, framepack ${s.daemonVersion}, protocol ${s.protocolVersion}${registration ? `, engine ${registration.engine}` : ''}`,
      `socket:  ${s.socketPath}`,
      `log:     ${registration?.logFile ?? paths.logFile}`,
      `uptime:  ${Math.round(s.uptimeMs / 1000)} s, ${s.clients.length} client(s)`,
      `queue:   ${s.queue.running ? `running ${s.queue.running}, ` : ''}${s.queue.queued} waiting (limit ${s.queue.limit})${s.queue.paused ? ', PAUSED' : ''}`,
    ];
    if (s.provider) lines.push(`runs on: ${s.provider.name} (${s.provider.reason})`);
    if (s.cluster) lines.push(`shared:  worker ${s.cluster.worker} of ${s.cluster.queue} (${s.cluster.connected ? 'connected' : 'redis unreachable, reconnecting'}${s.cluster.running ? `, running ${s.cluster.running}` : ''}; ${s.cluster.done} done, ${s.cluster.failed} failed here)`);
    if (s.memory) lines.push(`memory:  RSS ${formatBytes(s.memory.rssBytes)}${s.memory.vram.map((v) => `, ${v.device} ${formatBytes(v.usedBytes)}/${formatBytes(v.totalBytes)}`).join('')}`);
    process.stdout.write(`${lines.join('\n')}\n`);
    return EXIT_OK;
  } finally {
    conn.client.close();
  }
}

async function stop(json: boolean): Promise<number> {
  const paths = daemonPaths();
  let conn;
  try {
    conn = await connectDaemon({ autoStart: false, name: 'framepack daemon stop' });
  } catch {
    process.stdout.write(json ? `${JSON.stringify({ stopped: false, running: false })}\n` : 'not running\n');
    return EXIT_OK;
  }
  const pid = conn.client.hello?.pid;
  await conn.client.call('daemon.shutdown', { force: true, reason: 'framepack daemon stop' });
  conn.client.close();
  // The daemon finishes (or checkpoints) its running section first; wait for the process to go.
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (pid !== undefined && pidAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`daemon pid ${pid} did not exit within ${STOP_TIMEOUT_MS / 1000} s; see ${paths.logFile}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  process.stdout.write(json ? `${JSON.stringify({ stopped: true, pid })}\n` : `stopped (pid ${pid})\n`);
  return EXIT_OK;
}

/** Warnings a starting daemon logged about its files (a damaged journal kept aside), from `offset` on. */
export function startWarnings(logText: string): string[] {
  const out: string[] = [];
  for (const line of logText.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const r = JSON.parse(line) as { level?: string; scope?: string; msg?: string };
      if (r.level === 'warn' && r.scope === 'journal' && r.msg) out.push(r.msg);
    } catch {
      // not a log record
    }
  }
  return out;
}

async function start(flags: string[], json: boolean): Promise<number> {
  const logOffset = fileSize(daemonPaths().logFile);
  const { client, started } = await connectDaemon({ autoStart: true, name: 'framepack daemon start', flags });
  const hello = client.hello!;
  client.close();
  const paths = daemonPaths();
  if (started) {
    // The daemon is up, but the user should hear at once that it set a damaged journal aside.
    for (const warning of startWarnings(readFrom(paths.logFile, logOffset))) process.stderr.write(`framepack: warning: ${warning}\n`);
  }
  if (json) process.stdout.write(`${JSON.stringify({ started, pid: hello.pid, daemonVersion: hello.daemonVersion, protocolVersion: hello.protocolVersion, socketPath: paths.socketFile })}\n`);
  else process.stdout.write(`${started ? 'started' : 'already running'}: pid ${hello.pid} on ${paths.socketFile}\n`);
  return EXIT_OK;
}

export async function runDaemonCommand(argv: string[]): Promise<number> {
  const [sub, ...args] = argv;
  const { json, rest } = takeJson(args);
  // Help and flag checks come before anything acts (issue 16 item 1): `daemon stop --help` must
  // not stop it, and a bad flag must not reach a spawned daemon.
  if (wantsHelp(args)) return (process.stdout.write(`${DAEMON_HELP}\n`), EXIT_OK);
  if (sub === 'start' || sub === 'restart' || sub === 'run') validateDaemonFlags(sub, rest);
  else if ((sub === 'status' || sub === 'stop') && rest.length) throw new UsageError(`daemon ${sub}: unexpected argument '${rest[0]}' (only --json)`);
  switch (sub) {
    case undefined: case '-h': case '--help':
      process.stdout.write(`${DAEMON_HELP}\n`);
      return sub === undefined ? 2 : EXIT_OK;
    case 'status':
      return status(json);
    case 'stop':
      return stop(json);
    case 'start':
      return start(rest, json);
    case 'restart':
      await stop(false);
      return start(rest, json);
    case 'run': {
      const code = await runDaemon(rest);
      // Started: the daemon now lives until its shutdown path calls process.exit.
      if (code === 0) await new Promise<never>(() => {});
      return code;
    }
    default:
      throw new UsageError(`unknown daemon command '${sub}'${didYouMean(sub, ['start', 'stop', 'status', 'restart', 'run'])} (start, stop, status, restart or run)`);
  }
}
