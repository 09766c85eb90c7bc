// SGR mouse reports (xterm's mode 1006, with 1000 = button press/release tracking): the terminal
// sends ESC [ < b ; x ; y M on press and … m on release, x and y 1-based cells. Ink's input parser
// does not know them (they would arrive as keys "[<0;12;5M"), so they are cut out of stdin here,
// before Ink reads it. Pure: no I/O.

/** Turn on button tracking with SGR coordinates (any size, no 223-column limit). */
export const MOUSE_ON = '\x1b[?1000h\x1b[?1006h';
/** Turn both off again: on exit, on a crash, on a signal. */
export const MOUSE_OFF = '\x1b[?1006l\x1b[?1000l';

export type MouseKind = 'press' | 'release' | 'wheel-up' | 'wheel-down';

export interface MouseEvent {
  kind: MouseKind;
  /** 0 left, 1 middle, 2 right (wheel events: 0). */
  button: number;
  /** 0-based cell column and row. */
  x: number;
  y: number;
  shift: boolean;
  ctrl: boolean;
  meta: boolean;
}

export interface MouseSplit {
  events: MouseEvent[];
  /** Everything that was not a mouse report, in order: for Ink. */
  text: string;
  /** The start of a report cut off at the end of the chunk: prepend it to the next chunk. */
  pending: string;
}

// eslint-disable-next-line no-control-regex
const REPORT = /\x1b\[<(\d+);(\d+);(\d+)([Mm])/g;
// eslint-disable-next-line no-control-regex
const PARTIAL = /\x1b\[<[\d;]*$/;

/** Decode one report's fields; null for motion and other buttons this dashboard does not use. */
export function decodeReport(code: number, col: number, row: number, final: 'M' | 'm'): MouseEvent | null {
  const mods = { shift: (code & 4) !== 0, meta: (code & 8) !== 0, ctrl: (code & 16) !== 0 };
  if (code & 32) return null; // motion (drag): tracking mode 1000 sends none, ignore if a terminal does
  const base = code & ~(4 | 8 | 16);
  const at = { x: col - 1, y: row - 1 };
  if (base === 64) return { kind: 'wheel-up', button: 0, ...at, ...mods };
  if (base === 65) return { kind: 'wheel-down', button: 0, ...at, ...mods };
  if (base > 2) return null;
  return { kind: final === 'M' ? 'press' : 'release', button: base, ...at, ...mods };
}

/** Split a stdin chunk (with the previous chunk's `pending` prepended) into mouse events and the rest. */
export function splitMouse(chunk: string): MouseSplit {
  const events: MouseEvent[] = [];
  let text = '';
  let last = 0;
  for (const m of chunk.matchAll(REPORT)) {
    text += chunk.slice(last, m.index);
    last = m.index + m[0].length;
    const e = decodeReport(Number(m[1]), Number(m[2]), Number(m[3]), m[4] as 'M' | 'm');
    if (e) events.push(e);
  }
  let rest = chunk.slice(last);
  // Only an ESC [ < prefix is held back: a lone ESC (the Esc key) or ESC [ must reach Ink at once.
  const partial = PARTIAL.exec(rest);
  let pending = '';
  if (partial) {
    pending = partial[0];
    rest = rest.slice(0, partial.index);
  }
  return { events, text: text + rest, pending };
}
