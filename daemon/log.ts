// Structured JSON-lines logger (STYLE.md §3.3 conv. 10): one object per line in the data dir's
// daemon.log, never the console. Child loggers bind fields such as {scope, jobId, component};
// an optional tap mirrors each record (the daemon publishes them as `log` events).
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LogRecord {
  time: string;
  level: LogLevel;
  scope: string;
  message: string;
  fields: Record<string, unknown>;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger that adds `fields` (and `scope`, when given) to every record. */
  child(fields: Record<string, unknown> & { scope?: string }): Logger;
}

export interface LogSinkOptions {
  /** File to append to; null = no file (tests). */
  file: string | null;
  level?: LogLevel;
  /** Sees every record at or above the level, after it is written. */
  tap?: (record: LogRecord) => void;
}

class JsonLinesLogger implements Logger {
  constructor(
    private readonly sink: { file: string | null; level: LogLevel; tap: ((r: LogRecord) => void) | undefined },
    private readonly bound: Record<string, unknown>,
  ) {}

  debug(message: string, fields?: Record<string, unknown>): void { this.write('debug', message, fields); }
  info(message: string, fields?: Record<string, unknown>): void { this.write('info', message, fields); }
  warn(message: string, fields?: Record<string, unknown>): void { this.write('warn', message, fields); }
  error(message: string, fields?: Record<string, unknown>): void { this.write('error', message, fields); }

  child(fields: Record<string, unknown>): Logger {
    return new JsonLinesLogger(this.sink, { ...this.bound, ...fields });
  }

  private write(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    if (RANK[level] < RANK[this.sink.level]) return;
    const { scope = 'daemon', ...rest } = { ...this.bound, ...fields };
    const record: LogRecord = { time: new Date().toISOString(), level, scope: String(scope), message, fields: rest };
    if (this.sink.file) {
      try {
        // Synchronous on purpose: the line must be on disk before a crash or kill -9 that follows.
        appendFileSync(this.sink.file, `${JSON.stringify({ time: record.time, level, scope: record.scope, msg: message, ...rest, pid: process.pid })}\n`);
      } catch {
        // A full disk must not take the daemon down; the tap still sees the record.
      }
    }
    try {
      this.sink.tap?.(record);
    } catch {
      // The tap publishes events; a failure there is not the logger's business.
    }
  }
}

export function createLogger(options: LogSinkOptions): Logger {
  if (options.file) mkdirSync(path.dirname(options.file), { recursive: true });
  return new JsonLinesLogger({ file: options.file, level: options.level ?? 'info', tap: options.tap }, {});
}

/** A logger that drops everything (unit tests). */
export const silentLogger: Logger = createLogger({ file: null, level: 'error', tap: undefined });
