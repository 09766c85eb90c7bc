// Entry of the dashboard (`framepack` with no arguments): parse flags, connect to the daemon
// (starting it detached when none answers), render the workbench in the alternate screen, and
// leave with exit code 0 on Ctrl+C or Quit, restoring the terminal; the daemon and its running
// job carry on. A daemon that cannot start does not end the dashboard: the workbench opens with
// the reason in its banner and R to try again. Nothing is printed outside Ink; logs go to
// <data dir>/tui.log.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { render, Text, Box } from 'ink';
import { useEffect, useState } from 'react';
import type { RpcClient } from '../shared/ipc/rpc-client.js';
import { App } from './app.js';
import { mouseStdin } from './mouse/mouse-stdin.js';
import { MOUSE_OFF, MOUSE_ON } from './mouse/sgr-mouse.js';
import type { MouseSource } from './mouse/mouse-context.js';
import { connectDashboard, dashboardPaths, idleDashboardClient } from './daemon/connection.js';
import { daemonDownReason } from './daemon/daemon-log-tail.js';
import { runDoctor } from './daemon/doctor-runner.js';
import { captureConsole, createFileLog } from './log.js';
import { openInPlayer } from './settings/open-output.js';
import { loadSettings, saveSettings } from './settings/settings.js';
import { fileUserStore, migrateTuiPlayer } from './settings/user-store.js';
import { colourAllowed, installNoColour } from './theme/no-colour.js';
import type { ServicesDeps } from './workbench/services-context.js';

export const TUI_HELP = `Usage: framepack [--no-start]
Opens the dashboard; starts the daemon in the background when none is running.

  --no-start     connect only; do not start a daemon
  -h, --help     this help

Environment: FRAMEPACK_RUNTIME_DIR / FRAMEPACK_DATA_DIR (where the daemon's socket and data are),
FRAMEPACK_PLAYER (video player command when the player setting is unset), FRAMEPACK_CONFIG_DIR
(settings folder: config.json, the settings \`framepack config\` edits and the Settings view shows;
tui.json, key overrides).
Keys: Ctrl+P or F1 lists every command; ? shows the keys; q or Ctrl+C quits.
Mouse: click the view letters, list rows, panel tabs, the status bar's ^P / ? and the new-job form's
fields and Submit; the wheel scrolls lists and Logs (Shift+drag selects text in most terminals).
NO_COLOR (or TERM=dumb): no colours; the selection stays inverse and the focused part's border heavy.`;

function Root({ connect, makeServices, log, mouse }: { connect: () => Promise<RpcClient>; makeServices: () => ServicesDeps; log: (m: string) => void; mouse?: MouseSource | undefined }) {
  const [client, setClient] = useState<RpcClient | null>(null);
  const [startFailure, setStartFailure] = useState<string | undefined>(undefined);
  const [services] = useState(makeServices);
  useEffect(() => {
    let cancelled = false;
    connect().then(
      (c) => (cancelled ? c.close() : setClient(c)),
      (err: unknown) => {
        // Stay up: the workbench opens with the reason in its banner and keeps trying to connect.
        log(`could not reach the daemon: ${(err as Error).message}`);
        if (cancelled) return;
        setStartFailure((err as Error).message);
        setClient(idleDashboardClient());
      },
    );
    return () => {
      cancelled = true;
    };
  }, []);
  if (!client) {
    return (
      <Box flexDirection="column" padding={1}>
        <Text bold>FramePack</Text>
        <Text>connecting to the daemon (starting it if needed)…</Text>
        <Text color="gray">socket {services.paths.socketFile}</Text>
      </Box>
    );
  }
  return <App client={client} services={services} log={log} {...(mouse ? { mouse } : {})} {...(startFailure ? { initialDown: startFailure } : {})} />;
}

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, allowPositionals: false, options: { 'no-start': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (err: unknown) {
    process.stderr.write(`framepack: ${(err as Error).message.split('\n')[0]}\n${TUI_HELP}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${TUI_HELP}\n`);
    return 0;
  }
  if (!process.stdout.isTTY) {
    process.stderr.write('framepack: the dashboard needs a terminal; for scripts use `framepack generate` or the socket protocol (docs/protocol.md)\n');
    return 2;
  }
  // NO_COLOR / TERM=dumb: no colour escape reaches the terminal (chalk, Ink's colourer, ignores NO_COLOR).
  if (!colourAllowed()) installNoColour(process.stdout);
  const paths = dashboardPaths();
  const fileLog = createFileLog(paths.tuiLogFile);
  captureConsole(fileLog);
  fileLog('info', `dashboard starting (socket ${paths.socketFile})`);
  const migrated = migrateTuiPlayer();
  if (migrated) fileLog('info', migrated);
  const loaded = loadSettings();
  if (loaded.problem) fileLog('warn', loaded.problem);

  let client: RpcClient | null = null; // closed on exit
  let exitMessage: string | null = null;
  let instance: ReturnType<typeof render> | null = null;
  const exit = (message?: string) => {
    exitMessage = message ?? null;
    instance?.unmount();
  };
  const makeServices = (): ServicesDeps => ({
    settings: loaded.settings,
    userStore: fileUserStore(),
    settingsFile: loaded.file,
    settingsProblem: loaded.problem,
    saveSettings: (s) => saveSettings(loaded.file, s),
    openFile: async (player, file) => {
      fileLog('info', `opening ${file} with ${player.command}`);
      await openInPlayer(player, file);
    },
    // Only for a daemon without daemon.doctor (older than this dashboard).
    runDoctor: () => runDoctor(),
    ...(values['no-start'] === true ? {} : {
      startDaemon: async () => {
        // Waits until it answers, or rejects at once with the daemon's own reason (ensure-daemon.ts).
        const { client: probe } = await connectDashboard({ autoStart: true });
        probe.close();
      },
    }),
    describeDaemonDown: (pid, sinceMs) => daemonDownReason(paths, pid, sinceMs),
    exit: (m) => exit(m),
    env: process.env,
    paths: { ...paths, tuiLogFile: path.resolve(paths.tuiLogFile) },
  });
  const connect = async () => {
    const { client: c, started } = await connectDashboard({ autoStart: values['no-start'] !== true });
    fileLog('info', started ? 'started the daemon' : 'connected to a running daemon');
    client = c;
    return c;
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => exit());

  // Mouse (SGR reports): only on a terminal Ink can put in raw mode. Tracking is turned off again on
  // every way out — normal exit below, and 'exit' after a crash or process.exit — or the shell
  // would receive the reports as typed text.
  const withMouse = process.stdin.isTTY === true && typeof process.stdin.setRawMode === 'function';
  const input = withMouse ? mouseStdin(process.stdin) : null;
  const mouseOff = () => {
    if (input) process.stdout.write(MOUSE_OFF);
  };
  process.on('exit', mouseOff);
  instance = render(<Root connect={connect} makeServices={makeServices} log={(m) => fileLog('info', m)} mouse={input?.mouse} />, {
    ...(input ? { stdin: input.stdin } : {}),
    // The alternate screen, so nothing of the dashboard (a frame, a border left by a resize) stays in
    // the terminal's scrollback after it quits. `interactive` is forced: Ink turns both off when it
    // sees CI set, and stdout is a terminal here (checked above), CI or not.
    interactive: true,
    alternateScreen: true,
    exitOnCtrlC: false,
    patchConsole: false,
    maxFps: 20,
  });
  if (input) process.stdout.write(MOUSE_ON);
  await instance.waitUntilExit();
  mouseOff();
  process.off('exit', mouseOff);
  (client as RpcClient | null)?.close();
  fileLog('info', `dashboard closed${exitMessage ? `: ${exitMessage}` : ''}`);
  if (exitMessage) {
    // After Ink restored the terminal: the one line a user must see.
    process.stderr.write(`framepack: ${exitMessage}\n`);
    return 1;
  }
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const code = await main(process.argv.slice(2));
  process.exit(code);
}
