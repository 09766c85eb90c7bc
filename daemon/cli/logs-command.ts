// `framepack logs [-f] [-n N] [--json]`: the daemon's log (<data dir>/daemon.log, JSON lines from
// daemon/log.ts plus anything the process itself printed). Human mode shows one aligned line per
// record; --json passes the records through (a non-JSON line becomes {"raw": line}); -f keeps
// following the file (polling, truncation-safe) until Ctrl-C.
import { existsSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { daemonPaths } from './daemon-client.js';
import { parseFlags } from './args.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from './errors.js';
import { parseNumberFlag } from './job-args.js';

export const LOGS_HELP = `Usage: framepack logs [-f|--follow] [-n|--lines N] [--json]

The daemon's log (<data dir>/daemon.log): the last N records (default 100, 0 = all), then with -f
every new one until Ctrl-C. --json prints each record as one JSON object per line.`;

const POLL_MS = 200;
const RESERVED = new Set(['time', 'level', 'scope', 'msg', 'message', 'pid']);

/** One log line for people: `time level scope message key=value…`. */
export function formatLogLine(line: string): string {
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (typeof r !== 'object' || r === null) return line;
  const time = typeof r.time === 'string' ? r.time.replace('T', ' ').replace(/\.\d+Z$/, '') : '';
  const fields = Object.entries(r).filter(([k]) => !RESERVED.has(k)).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return [time, String(r.level ?? '').padEnd(5), String(r.scope ?? '').padEnd(9), String(r.msg ?? r.message ?? ''), ...fields].join(' ').trimEnd();
}

export function jsonLogLine(line: string): string {
  try {
    const r = JSON.parse(line) as unknown;
    if (typeof r === 'object' && r !== null) return JSON.stringify(r);
  } catch { /* not a record: wrapped below */ }
  return JSON.stringify({ raw: line });
}

async function readFrom(file: string, offset: number): Promise<{ text: string; end: number }> {
  const size = (await stat(file)).size;
  if (size <= offset) return { text: '', end: size };
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(size - offset);
    await fh.read(buf, 0, buf.length, offset);
    return { text: buf.toString('utf8'), end: size };
  } finally {
    await fh.close();
  }
}

export interface LogsIo { write(line: string): void; signal?: AbortSignal; env?: NodeJS.ProcessEnv }

export async function runLogsCommand(argv: string[], io: LogsIo = { write: (s) => process.stdout.write(`${s}\n`) }): Promise<number> {
  const { values } = parseFlags('logs', argv, { follow: { type: 'boolean', short: 'f' }, lines: { type: 'string', short: 'n' }, json: { type: 'boolean' } });
  if (values.help) return (io.write(LOGS_HELP), EXIT_OK);
  const lines = parseNumberFlag('--lines', values.lines) ?? 100;
  if (!Number.isInteger(lines) || lines < 0) throw new UsageError(`--lines must be an integer ≥ 0 (got ${values.lines})`);
  const file = daemonPaths(io.env).logFile;
  const emit = (line: string) => io.write(values.json ? jsonLogLine(line) : formatLogLine(line));
  if (!existsSync(file) && !values.follow) {
    process.stderr.write(`framepack: no daemon log yet (${file})\n`);
    return EXIT_FAILURE;
  }
  let offset = 0;
  let partial = '';
  if (existsSync(file)) {
    const { text, end } = await readFrom(file, 0);
    offset = end;
    const all = text.split('\n');
    partial = all.pop() ?? '';
    for (const l of (lines === 0 ? all : all.slice(-lines))) if (l.trim()) emit(l);
  }
  if (!values.follow) return EXIT_OK;

  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  const signal = io.signal ? AbortSignal.any([io.signal, controller.signal]) : controller.signal;
  try {
    while (!signal.aborted) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      if (!existsSync(file)) continue;
      if ((await stat(file)).size < offset) offset = 0; // truncated or replaced: start over
      const { text, end } = await readFrom(file, offset);
      offset = end;
      const chunk = (partial + text).split('\n');
      partial = chunk.pop() ?? '';
      for (const l of chunk) if (l.trim()) emit(l);
    }
  } finally {
    process.off('SIGINT', stop);
  }
  return EXIT_OK;
}
