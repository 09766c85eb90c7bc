// `?` help: every command with its keys, grouped by category, plus the list and form keys. Long
// lines wrap (nothing is cut at 120 columns) and the table scrolls when it is taller than the
// editor (80×24 shows about 14 rows of ~25): ↑↓ j k, PgUp/PgDn, Home/End scroll; any other key closes.
import { Box, Text } from 'ink';
import { useState } from 'react';
import { chordsFor } from '../keys/keybindings.js';
import { KeyPriority, useKeypress } from '../keys/keypress-context.js';
import { colors } from '../theme/semantic-colors.js';
import { pad, wrapRows } from '../components/text-utils.js';
import { useLayoutDispatch } from '../workbench/layout-context.js';
import { useServices } from '../workbench/services-context.js';
import { useCommands } from './commands-context.js';

export const FORM_KEYS = '↑↓ fields · Enter next · Tab completes the image path · Ctrl+R random seed · ←→ mode, sampler, cache · Space cache · Ctrl+U clear · Ctrl+S submit · Esc leave';
/** The form's groups of expert fields (form-groups.ts), a help line of their own. */
export const FORM_GROUP_KEYS = '↑↓ reach the ▸ headers too; Enter or Space on one opens or closes the group (→ opens, ← closes); Ctrl+S with an error in a closed group opens it on the field';
/** The form's preset keys, a help line of their own (the form line wraps to its limit at 80 columns). */
export const FORM_PRESET_KEYS = 'Ctrl+L loads the preset named in the Preset field · Ctrl+K saves the form as it';
/** The same keys in the words the form's own key line has room for (Tab and ←→ are in the Image and Mode hints). */
export const FORM_KEYS_SHORT = '↑↓/Enter next · Enter/Space ▸ group · Ctrl+R random seed · Space cache · Ctrl+U clear · Ctrl+L/K preset · Ctrl+S submit · Esc leave';

/** Lines of helpLines after the commands' (lists, filter, panel, form, groups, presets), shown muted. */
const KEY_LINES = 6;

export function helpLines(commands: { id: string; title: string; category: string }[], bindings: Record<string, string>): string[] {
  const bound = commands.filter((c) => chordsFor(bindings, c.id).length > 0);
  return [
    ...bound.map((c) => `${pad(chordsFor(bindings, c.id).join(', '), 16)} ${c.category}: ${c.title}`),
    `${pad('↑↓ j k, Enter', 16)} move in lists (Home/End: first/last), open the selected job (in Outputs: play it)`,
    `${pad('/, Esc', 16)} filter the Jobs or Outputs list as you type (Enter keeps it, Esc clears it); Esc leaves the editor`,
    `${pad('Panel', 16)} ↑↓ PgUp PgDn Home End scroll Logs (End follows), select in Problems (Enter opens a failed job)`,
    `${pad('New-job form', 16)} ${FORM_KEYS}`,
    `${pad('Form groups', 16)} ${FORM_GROUP_KEYS}`,
    `${pad('Form presets', 16)} ${FORM_PRESET_KEYS}`,
  ];
}

/** The help as screen rows of `width` columns: each line wrapped, continuation rows indented under the text. */
export function helpRows(lines: readonly string[], width: number): { text: string; muted: boolean }[] {
  const rows: { text: string; muted: boolean }[] = [];
  lines.forEach((line, i) => {
    const muted = i >= lines.length - KEY_LINES; // the list, panel and form keys under the commands
    const indent = width > 40 ? 17 : 0;
    const [first, ...rest] = wrapRows(line, width, 1 + 4);
    rows.push({ text: first ?? '', muted });
    if (rest.length > 0) {
      // Re-wrap the remainder under the description column.
      const remainder = line.slice((first ?? '').length).trimStart();
      for (const r of wrapRows(remainder, width - indent, 8)) rows.push({ text: ' '.repeat(indent) + r, muted });
    }
  });
  return rows;
}

/** The first row shown after a scroll key, clamped so the last page is full. */
export function scrollHelp(offset: number, chord: string, total: number, pageRows: number): number | null {
  const max = Math.max(0, total - pageRows);
  const clamp = (v: number) => Math.min(Math.max(v, 0), max);
  if (chord === 'down' || chord === 'j') return clamp(offset + 1);
  if (chord === 'up' || chord === 'k') return clamp(offset - 1);
  if (chord === 'pagedown' || chord === ' ') return clamp(offset + pageRows - 1);
  if (chord === 'pageup') return clamp(offset - pageRows + 1);
  if (chord === 'home') return 0;
  if (chord === 'end') return max;
  return null;
}

export function HelpOverlay({ width, height }: { width: number; height: number }) {
  const dispatch = useLayoutDispatch();
  const { registry } = useCommands();
  const { bindings } = useServices();
  const [offset, setOffset] = useState(0);
  const rows = helpRows(helpLines(registry.list(), bindings), width);
  const pageRows = Math.max(1, height - 1);
  useKeypress(
    (e) => {
      if (e.chord === 'ctrl+c') return false;
      const next = scrollHelp(offset, e.chord, rows.length, pageRows);
      if (next !== null) setOffset(next);
      else dispatch({ type: 'closeOverlay' });
      return true;
    },
    { priority: KeyPriority.overlay },
  );
  const scrolls = rows.length > pageRows;
  const first = Math.min(offset, Math.max(0, rows.length - pageRows));
  const title = scrolls
    ? `KEYS ${first + 1}–${Math.min(rows.length, first + pageRows)} of ${rows.length} · ↑↓ PgUp PgDn scroll · other keys close`
    : 'KEYS (any key closes; Ctrl+P lists every command)';
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text bold>{wrapRows(title, width, 1)[0]}</Text>
      {rows.slice(first, first + pageRows).map((r, i) => (
        <Text key={first + i} color={r.muted ? colors.text.muted : undefined}>{r.text}</Text>
      ))}
    </Box>
  );
}
