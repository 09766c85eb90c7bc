// How the CLI ends: a usage error (bad flag, bad value, unknown model, unusable input image) is
// one line `framepack: <flag> <problem>` and exit code 2; a failure while running is one line and
// exit code 1; a cancelled job exits 130.
import { JobSpecError } from '../engine/pipeline/job-spec.js';
import { UnknownModelError } from '../engine/pipeline/model-location.js';
import { InputImageError } from '../media/image-input.js';
import { RpcError } from '../../shared/protocol/index.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_CANCELLED = 130;

/** A command-line mistake; `message` already names the flag. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Usage-class errors from the layers below, rewritten to name the flag. */
export function asUsageError(err: unknown): UsageError | null {
  if (err instanceof UsageError) return err;
  if (err instanceof JobSpecError) return new UsageError(err.message);
  if (err instanceof UnknownModelError) return new UsageError(`--model ${err.message}`);
  if (err instanceof InputImageError) return new UsageError(`--image ${err.filePath}: ${err.problem}`);
  // The daemon refused --out at submit (output-path.ts): a command-line mistake like a bad flag.
  if (err instanceof RpcError && err.code === 'INVALID_PARAMS' && outIssue(err.detail)) return new UsageError(`--${err.message}`);
  // An extension's source or a bucket class refused at submit: named by its flag, like a bad flag.
  const flag = err instanceof RpcError && err.code === 'INVALID_PARAMS' ? EXTENSION_FLAGS[issueField(err.detail) ?? ''] : undefined;
  if (flag && err instanceof RpcError) return new UsageError(`${flag} ${err.message.replace(/^[A-Za-z]+: /, '')}`);
  return null;
}

export function isAbort(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

/** The first line of an error's message (stack traces stay out of the terminal). */
export function errorLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!.trim();
}

/** Prints the one line and returns the exit code for `err`. */
export function reportError(err: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  const usage = asUsageError(err);
  if (usage) {
    stderr.write(`framepack: ${usage.message}\n`);
    return EXIT_USAGE;
  }
  if (isAbort(err)) {
    stderr.write('framepack: cancelled\n');
    return EXIT_CANCELLED;
  }
  stderr.write(`framepack: ${errorLine(err)}\n`);
  if (process.env.FRAMEPACK_DEBUG && err instanceof Error && err.stack) stderr.write(`${err.stack}\n`);
  return EXIT_FAILURE;
}

/** Protocol fields of the extension and resolution options → their generate flags. */
const EXTENSION_FLAGS: Readonly<Record<string, string>> = { extend: '--extend', extendContext: '--extend-context', extendJob: '--extend-job', resolution: '--resolution' };

function issueField(detail: Record<string, unknown> | undefined): string | undefined {
  const issues = detail?.issues;
  const first = Array.isArray(issues) ? (issues[0] as { path?: unknown[] } | undefined)?.path?.[0] : undefined;
  return typeof first === 'string' ? first : undefined;
}

function outIssue(detail: Record<string, unknown> | undefined): boolean {
  const issues = detail?.issues;
  return Array.isArray(issues) && (issues[0] as { path?: unknown[] } | undefined)?.path?.[0] === 'out';
}
