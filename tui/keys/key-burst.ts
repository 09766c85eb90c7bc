// Key bursts (issue 16 item 13). A terminal delivers keys typed or pasted faster than the dashboard
// reads them as one chunk, and Ink hands a chunk of plain text to input handlers as ONE input
// ("jjj", "nabc"). A text field takes it whole (a paste); where no handler takes it, it is split
// here into the single keys it was typed as, and the dispatcher (keypress-context.tsx) runs them one
// at a time, each after the state the previous one produced has been rendered, so `jjj` moves
// three rows and `n` followed by text opens the form and types into it.
import type { Key } from 'ink';

export const NO_KEY: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false,
};

/** The single keys a multi-character plain input was typed as; null when it is one key already (or carries modifiers). */
export function splitBurst(input: string, key: Key): Array<{ input: string; key: Key }> | null {
  const chars = [...input];
  if (chars.length < 2 || key.ctrl || key.meta || key.escape) return null;
  return chars.map((ch) => ({
    input: ch,
    key: { ...NO_KEY, shift: /[A-Z]/.test(ch), return: ch === '\r' || ch === '\n', tab: ch === '\t' },
  }));
}
