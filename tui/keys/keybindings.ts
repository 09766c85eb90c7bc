// Key chords → command ids (STYLE.md §3.3 conv. 13, gemini's keyBindings/keyMatchers): keys never
// call code directly, so the palette can show each command's binding and users can rebind keys
// in their settings file (validated with zod there).
import type { Key } from 'ink';

/** A normalized chord: 'ctrl+p', 'shift+tab', 'f1', 'up', 'enter', 'escape', or a printable character. */
export type Chord = string;

const NAMED: [keyof Key, string][] = [
  ['upArrow', 'up'], ['downArrow', 'down'], ['leftArrow', 'left'], ['rightArrow', 'right'],
  ['pageUp', 'pageup'], ['pageDown', 'pagedown'], ['home', 'home'], ['end', 'end'],
  ['return', 'enter'], ['escape', 'escape'], ['tab', 'tab'], ['backspace', 'backspace'], ['delete', 'delete'],
];

/** Raw sequences of F1 (xterm SS3, VT220, Linux console); Ink's Key has no flag for function keys. */
export const F1_SEQUENCES: readonly string[] = ['\u001bOP', '\u001b[11~', '\u001b[[A', '\u001b[1P'];

/** Turn Ink's (input, key) into one chord string. */
export function chordOf(input: string, key: Key): Chord {
  for (const [flag, name] of NAMED) {
    if (key[flag]) return `${key.ctrl ? 'ctrl+' : ''}${key.shift && name === 'tab' ? 'shift+' : ''}${key.meta && name !== 'escape' ? 'alt+' : ''}${name}`;
  }
  if (key.ctrl && input) return `ctrl+${input.toLowerCase()}`;
  if (key.meta && input) return `alt+${input}`;
  return input;
}

/** The default table. Letters apply when no text field has focus (a field consumes them first). */
export const DEFAULT_KEYBINDINGS: Readonly<Record<Chord, string>> = {
  'ctrl+p': 'workbench.commandPalette',
  f1: 'workbench.commandPalette',
  '?': 'workbench.help',
  'ctrl+c': 'workbench.quit',
  q: 'workbench.quit',
  n: 'jobs.new',
  '1': 'view.jobs',
  '2': 'view.models',
  '3': 'view.outputs',
  '4': 'view.diagnostics',
  '5': 'view.settings',
  tab: 'workbench.focusNext',
  'shift+tab': 'workbench.focusPrevious',
  // Not Ctrl+J: a terminal sends it as a line feed, the same byte as Enter in many setups.
  'ctrl+t': 'workbench.togglePanel',
  t: 'workbench.nextPanelTab',
  c: 'jobs.cancel',
  x: 'jobs.cancelAfterSection',
  p: 'queue.toggle',
  o: 'outputs.open',
  r: 'jobs.rerunNewSeed',
  y: 'jobs.copyToNew',
  l: 'models.load',
  u: 'models.unload',
  d: 'diagnostics.run',
  // Queue order, as lazygit moves commits (capital J/K beside j/k) and as editors move lines (Alt+↑/↓).
  K: 'jobs.moveUp',
  'alt+up': 'jobs.moveUp',
  J: 'jobs.moveDown',
  'alt+down': 'jobs.moveDown',
  // Removal asks first (y); capital D because d runs the doctor.
  D: 'jobs.remove',
  delete: 'jobs.remove',
  // Shown in the banner while the daemon does not answer; capital so it is never hit by accident.
  R: 'daemon.start',
};

/** Keybindings with user overrides applied (an override to '' removes a default). */
export function mergeKeybindings(overrides: Readonly<Record<Chord, string>> = {}): Record<Chord, string> {
  const merged: Record<Chord, string> = { ...DEFAULT_KEYBINDINGS };
  for (const [chord, id] of Object.entries(overrides)) {
    if (id === '') delete merged[chord];
    else merged[chord] = id;
  }
  return merged;
}

/** Chords bound to a command, for the palette and help ("Ctrl+P, F1"). */
export function chordsFor(bindings: Readonly<Record<Chord, string>>, commandId: string): string[] {
  return Object.entries(bindings).filter(([, id]) => id === commandId).map(([chord]) => displayChord(chord));
}

export function displayChord(chord: Chord): string {
  const parts = chord.split('+');
  return parts
    .map((p) => {
      if (p.length === 1) return parts.length > 1 ? p.toUpperCase() : p; // Ctrl+P, but plain q stays q
      if (/^f\d+$/.test(p)) return p.toUpperCase();
      return p[0]!.toUpperCase() + p.slice(1);
    })
    .join('+');
}
