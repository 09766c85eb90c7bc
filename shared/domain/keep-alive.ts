// keepAlive grammar shared by models.load, jobs.submit and the daemon's default (ollama's
// `keep_alive`, PEERS.md §C4.6): a duration string ('5m', '30s', '1h30m', '250ms'), a number of
// seconds, 0 (unload as soon as the last lease is released) or -1 (keep forever). Other negative
// numbers are refused, and so is anything above Node's longest timer (2^31-1 ms, about 24.8 days):
// setTimeout would clamp it to 1 ms and unload at once (issue 15 item 11) — use -1 for "forever".
// The wire carries the value as given; keepAliveToMs() normalizes it, so schemas stay transform-free
// and a Job echoed back by the daemon re-validates unchanged.
import { z } from 'zod';

/** Normalized "keep forever" value returned by keepAliveToMs(). */
export const KEEP_ALIVE_FOREVER_MS = -1;
/** The longest keepAlive a timer can hold: Node's setTimeout limit (2^31-1 ms, about 24.8 days). */
export const MAX_KEEP_ALIVE_MS = 2 ** 31 - 1;
/** The daemon's default when neither the job nor the load call gives one (ollama's 5 minutes). */
export const DEFAULT_KEEP_ALIVE_MS = 5 * 60_000;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
// One or more <number><unit> parts, e.g. '1h30m', '1.5s'; a bare number string means seconds.
const DURATION_RE = /^(?:(\d+(?:\.\d+)?)(ms|s|m|h))+$/;
const PART_RE = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
const NUMBER_RE = /^-?\d+(?:\.\d+)?$/;

/** Parse a keepAlive value into milliseconds: ≥0 = time to stay loaded once idle, −1 = forever. Throws RangeError on bad input. */
export function keepAliveToMs(value: number | string): number {
  if (typeof value === 'number') return secondsToMs(value, value);
  const text = value.trim();
  if (NUMBER_RE.test(text)) return secondsToMs(Number(text), value);
  if (!DURATION_RE.test(text)) {
    throw new RangeError(`keepAlive '${value}' is not a duration: use e.g. '30s', '5m', '1h', seconds as a number, 0 or -1`);
  }
  let ms = 0;
  for (const m of text.matchAll(PART_RE)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  return withinTimer(Math.round(ms), value);
}

function secondsToMs(seconds: number, original: unknown): number {
  if (!Number.isFinite(seconds)) throw new RangeError(`keepAlive ${String(original)} is not a finite number`);
  if (seconds === -1) return KEEP_ALIVE_FOREVER_MS;
  if (seconds < 0) throw new RangeError(`keepAlive ${String(original)} is negative: the only negative value is -1 (keep forever)`);
  return withinTimer(Math.round(seconds * 1_000), original);
}

function withinTimer(ms: number, original: unknown): number {
  if (ms > MAX_KEEP_ALIVE_MS) {
    throw new RangeError(`keepAlive ${String(original)} is ${ms} ms, above the longest timer (${MAX_KEEP_ALIVE_MS} ms, about 24.8 days): use -1 for "forever"`);
  }
  return ms;
}

/** True when the value parses; used by the schema so a bad duration is an INVALID_PARAMS issue. */
export function isKeepAlive(value: number | string): boolean {
  try {
    keepAliveToMs(value);
    return true;
  } catch {
    return false;
  }
}

/** Wire schema: a duration string, seconds, 0 or -1 (not normalized; see keepAliveToMs). */
export const KeepAlive = z
  .union([z.number(), z.string().max(32)])
  .refine(isKeepAlive, { message: "keepAlive must be a duration like '30s', '5m', '1h', seconds as a number, 0 or -1" })
  .meta({ description: "How long a model stays loaded once idle: '5m', '30s', '1h', seconds, 0 = unload after use, -1 = forever" });
export type KeepAlive = z.infer<typeof KeepAlive>;
