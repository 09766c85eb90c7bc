// Typed errors across the socket (STYLE.md §3.3 conv. 9). Handlers throw RpcError; the server turns
// it into a WireError on the response, and the client rejects the call with an equal RpcError.
// Anything else a handler throws becomes INTERNAL with a reference id, and the daemon stays up.
import { z } from 'zod';

/** Error codes that travel on the wire. */
export const ErrorCode = z.enum([
  'INVALID_PARAMS', // the frame or its params failed validation; detail.issues lists the zod issues
  'NOT_FOUND', // unknown job, model, subscription or method
  'QUEUE_FULL', // jobs.submit above the queue limit; retry later
  'MODEL_MISSING', // the model bundle or one of its files is absent or fails verification
  'OUT_OF_MEMORY', // a load or run did not fit even after evicting everything else
  'DISK_FULL', // a write failed for lack of space (ENOSPC/EDQUOT); the message names the file, the mount and the bytes free/needed
  'CANCELLED', // the request (or the job) was cancelled
  'PROTOCOL_MISMATCH', // hello with another protocol version, or a method before hello
  'LIMIT_EXCEEDED', // a connection or subscription limit, or no hello in time; detail.limit names it
  'INTERNAL', // a bug in the daemon; detail.ref matches the daemon log line with the stack
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** Codes the client raises locally; they never appear on the wire. */
export type LocalErrorCode = 'TIMEOUT' | 'DISCONNECTED';

/** One validation problem, as INVALID_PARAMS carries it in detail.issues. */
export const WireIssue = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  code: z.string(),
  message: z.string(),
});
export type WireIssue = z.infer<typeof WireIssue>;

/** The error object of a failed response. */
export const WireError = z.object({
  code: ErrorCode,
  message: z.string().max(10_000),
  /** True when the same request may succeed later unchanged (QUEUE_FULL, OUT_OF_MEMORY). */
  retryable: z.boolean(),
  /** Code-specific extra data: {issues} for INVALID_PARAMS, {ref} for INTERNAL, {server, client} for PROTOCOL_MISMATCH. */
  detail: z.record(z.string(), z.unknown()).optional(),
});
export type WireError = z.infer<typeof WireError>;

const RETRYABLE: ReadonlySet<string> = new Set(['QUEUE_FULL', 'OUT_OF_MEMORY', 'DISK_FULL', 'TIMEOUT', 'DISCONNECTED']);

/** An error with a protocol code; thrown by handlers, raised by the client. */
export class RpcError extends Error {
  override readonly name = 'RpcError';
  readonly code: ErrorCode | LocalErrorCode;
  readonly retryable: boolean;
  readonly detail: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode | LocalErrorCode,
    message: string,
    options: { retryable?: boolean; detail?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE.has(code);
    this.detail = options.detail;
  }

  /** The wire form; local codes (never sent) map to INTERNAL. */
  toWire(): WireError {
    const code = ErrorCode.safeParse(this.code).success ? (this.code as ErrorCode) : 'INTERNAL';
    const wire: WireError = { code, message: this.message, retryable: this.retryable };
    if (this.detail !== undefined) wire.detail = this.detail;
    return wire;
  }

  static fromWire(error: WireError): RpcError {
    return new RpcError(error.code, error.message, { retryable: error.retryable, ...(error.detail ? { detail: error.detail } : {}) });
  }
}

/** Map zod issues to their wire form (paths of strings and numbers only). */
export function toWireIssues(issues: readonly z.core.$ZodIssue[]): WireIssue[] {
  return issues.map((issue) => ({
    path: issue.path.map((p) => (typeof p === 'number' ? p : String(p))),
    code: issue.code,
    message: issue.message,
  }));
}

/** The message of any thrown value, without assuming it is an Error. */
export function getErrorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : JSON.stringify(err) ?? String(err);
}
