// Semantic colour tokens (STYLE.md §3.2): components name what a colour means, never a raw colour,
// so a theme change or NO_COLOR touches one file. Meaning is never carried by colour alone: every
// state also has a glyph or a word (tests read text, not colours).
import { colourAllowed } from './no-colour.js';

export const colors = {
  text: { normal: undefined, muted: 'gray', accent: 'cyan', inverse: 'black' },
  status: { ok: 'green', warn: 'yellow', error: 'red', info: 'cyan', running: 'blue' },
  border: { focused: 'cyan', normal: 'gray' },
  bar: { filled: 'cyan', empty: 'gray', statusBg: 'blue', statusFg: 'white' },
  selection: { bg: 'cyan', fg: 'black' },
} as const;

/** Glyph + word per job state (glyph for scanning, word so meaning never depends on colour). */
export const JOB_STATE_GLYPH = {
  queued: '◷',
  running: '▶',
  succeeded: '✔',
  failed: '✖',
  cancelled: '⊘',
  // A running job while the daemon does not answer: it may have died with it (issue 16 item 3).
  unknown: '?',
} as const;

export const JOB_STATE_COLOR = {
  queued: colors.text.muted,
  running: colors.status.running,
  succeeded: colors.status.ok,
  failed: colors.status.error,
  cancelled: colors.status.warn,
  unknown: colors.status.warn,
} as const;

/**
 * The border of a workbench part. The focused one is told apart by colour; without colour
 * (NO_COLOR, TERM=dumb: no-colour.ts) it is drawn heavy (┏━┓) instead, so focus stays visible.
 */
export function focusBorderStyle(focused: boolean, env: NodeJS.ProcessEnv = process.env): 'round' | 'bold' {
  return focused && !colourAllowed(env) ? 'bold' : 'round';
}
