// Timestamped prompts in FramePack-Studio's syntax (modules/prompt_handler.py parse_timestamped_prompt):
// `[0s: a cat sits] [2.5s-4s: the cat jumps] text outside brackets`. `[Ts: …]` starts at T and lasts
// until the next prompt starts (or the video ends); `[As-Bs: …]` covers exactly [A, B). Text outside
// the brackets is the prompt for time no bracket covers (Studio: a default for the whole video).
// Unlike Studio, spans that overlap are an error (Studio silently takes the first match), and where
// there is no outside text, uncovered time takes the nearest earlier prompt (before the first one:
// the first). Pure: shared by the daemon (which plans sections from it) and the dashboard's form
// (which checks the syntax while typing).

/** One timed prompt, times in seconds of the final video (display time). */
export interface TimedPrompt {
  startSeconds: number;
  /** Exclusive end; null = until the next prompt starts or the video ends. */
  endSeconds: number | null;
  text: string;
  /** The bracket as written, for messages. */
  source: string;
}

export interface PromptTimeline {
  /** Sorted by start time. Empty for a plain prompt. */
  timed: TimedPrompt[];
  /** Text outside the brackets (trimmed), or null when there is none. */
  fallback: string | null;
}

/** A bad timestamped prompt; the message is one line naming the bracket. */
export class TimedPromptError extends Error {
  override readonly name = 'TimedPromptError';
}

const BRACKET = /\[\s*(\d+(?:\.\d+)?)\s*s\s*(?:-\s*(\d+(?:\.\d+)?)\s*s\s*)?:\s*([^\]]*)\]/g;

/** True when the text uses the timestamp syntax at all (a plain prompt with brackets of another kind stays plain). */
export function isTimedPrompt(text: string): boolean {
  return new RegExp(BRACKET.source).test(text);
}

const short = (s: string): string => (s.length > 40 ? `${s.slice(0, 37)}…` : s);

/**
 * Parses the syntax (no video length needed). Throws TimedPromptError for an empty bracket, an end
 * not after its start, or two spans that overlap.
 */
export function parseTimedPrompt(text: string): PromptTimeline {
  const timed: TimedPrompt[] = [];
  let rest = '';
  let last = 0;
  for (const m of text.matchAll(BRACKET)) {
    rest += text.slice(last, m.index);
    last = m.index + m[0].length;
    const start = Number(m[1]);
    const end = m[2] !== undefined ? Number(m[2]) : null;
    const body = m[3]!.trim();
    const source = short(m[0]);
    if (body === '') throw new TimedPromptError(`prompt ${source} has no text`);
    if (end !== null && !(end > start)) throw new TimedPromptError(`prompt ${source}: the end must be after the start`);
    timed.push({ startSeconds: start, endSeconds: end, text: body, source });
  }
  rest += text.slice(last);
  const fallbackText = rest.replace(/\s+/g, ' ').trim();
  // A plain prompt goes to the encoders exactly as written.
  if (timed.length === 0) return { timed: [], fallback: text };
  timed.sort((a, b) => a.startSeconds - b.startSeconds);
  for (let i = 1; i < timed.length; i++) {
    const a = timed[i - 1]!;
    const b = timed[i]!;
    if (a.startSeconds === b.startSeconds) throw new TimedPromptError(`prompts ${a.source} and ${b.source} start at the same time`);
    if (a.endSeconds !== null && a.endSeconds > b.startSeconds) throw new TimedPromptError(`prompts ${a.source} and ${b.source} overlap`);
  }
  return { timed, fallback: fallbackText === '' ? null : fallbackText };
}

/**
 * Checks the times against the video: a prompt that starts at or after the video's end, or a span
 * that ends past it, is an error (`videoSeconds` = the planned video's length; `requestedSeconds`,
 * the --seconds asked for, is also accepted as an end so `[3s-5s: …]` in a 5 s request is fine).
 */
export function checkTimelineFits(t: PromptTimeline, videoSeconds: number, requestedSeconds = videoSeconds): void {
  const limit = Math.max(videoSeconds, requestedSeconds);
  for (const p of t.timed) {
    if (p.startSeconds >= videoSeconds) throw new TimedPromptError(`prompt ${p.source} starts at ${p.startSeconds} s, past the video's end (${videoSeconds.toFixed(2)} s)`);
    if (p.endSeconds !== null && p.endSeconds > limit + 1e-9) throw new TimedPromptError(`prompt ${p.source} ends at ${p.endSeconds} s, past the video's end (${videoSeconds.toFixed(2)} s)`);
  }
}

/** The prompt text active at display time `t` seconds (see the header for the uncovered-time rule). */
export function promptAt(t: PromptTimeline, seconds: number): string {
  if (t.timed.length === 0) return t.fallback ?? '';
  let active: TimedPrompt | null = null;
  for (const p of t.timed) {
    if (p.startSeconds > seconds) break;
    active = p;
  }
  if (active === null) return t.fallback ?? t.timed[0]!.text;
  const covered = active.endSeconds === null || seconds < active.endSeconds;
  return covered ? active.text : (t.fallback ?? active.text);
}
