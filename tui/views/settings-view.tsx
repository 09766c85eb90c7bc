// Side-bar Settings (issue 16 item 4): every key of the one settings store `framepack config`
// edits (config.json: player, outputDir, keepAlive, preserveVram, dataDir, defaults.*), one row
// each with its value; Enter edits the selected key (the text is parsed and validated exactly as
// `framepack config set` does; empty removes it), and the error names the key when the value is
// bad. Then where the files are. The selected key's description is shown under the list.
import { Box, Text } from 'ink';
import { useEffect, useState } from 'react';
import { parseSettingText, SETTING_KEYS } from '../../shared/settings/user-settings.js';
import { KeyPriority, useKeypress } from '../keys/keypress-context.js';
import { colors } from '../theme/semantic-colors.js';
import { pad, truncate, truncateStart, windowRange, wrapRows } from '../components/text-utils.js';
import { useServices, type Services } from '../workbench/services-context.js';

/** The keys in the order a user reaches for them (the rest of SETTING_KEYS after these). */
const FIRST = ['player', 'outputDir', 'keepAlive', 'preserveVram'];
export const SETTING_ROW_KEYS: readonly string[] = [...FIRST, ...Object.keys(SETTING_KEYS).filter((k) => !FIRST.includes(k))];

export interface SettingsRow {
  label: string;
  value: string;
  /** The config key this row edits; absent for information rows. */
  key?: string;
}

function shown(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function settingsRows(s: Services): SettingsRow[] {
  const keyRows = SETTING_ROW_KEYS.map((key) => {
    const value = s.user[key];
    const fallback = key === 'player' ? `${[s.player.command, ...s.player.args].join(' ')} (${s.player.source})` : '(default)';
    return { key, label: key, value: value === undefined ? fallback : shown(value) };
  });
  return [
    ...keyRows,
    { label: 'settings file', value: s.userStore.file },
    { label: 'key overrides', value: `${Object.keys(s.settings.keybindings ?? {}).length} in ${s.settingsFile}` },
    { label: 'socket', value: s.paths.socketFile },
    { label: 'data dir', value: s.paths.dataDir },
    { label: 'dashboard log', value: s.paths.tuiLogFile },
  ];
}

export const SETTINGS_ROW_COUNT = SETTING_ROW_KEYS.length + 5;

export function SettingsView({ selected, width, height, focused }: { selected: number; width: number; height: number; focused: boolean }) {
  const services = useServices();
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  // A `framepack config set` made while the dashboard runs shows when the view is opened.
  useEffect(() => void services.reloadUser(), []);
  const rows = settingsRows(services);
  const row = rows[selected];
  useKeypress(
    (e) => {
      if (editing === null) {
        if (e.chord === 'enter' && row?.key) {
          setEditing(services.user[row.key] === undefined ? '' : shown(services.user[row.key]));
          setError(null);
          return true;
        }
        return false;
      }
      if (e.chord === 'escape') {
        setEditing(null);
        setError(null);
      } else if (e.chord === 'enter' && row?.key) {
        const text = editing.trim();
        const problem = services.setUserSetting(row.key, text === '' ? undefined : parseSettingText(row.key, text));
        setError(problem);
        if (!problem) setEditing(null);
      } else if (e.chord === 'backspace' || e.chord === 'delete') setEditing(editing.slice(0, -1));
      else if (e.chord === 'ctrl+u') setEditing('');
      else if (!e.key.ctrl && !e.key.meta && e.input) setEditing(editing + e.input.replace(/[\r\n]+/g, ' '));
      return true; // a text field swallows every other key
    },
    { priority: editing === null ? KeyPriority.part + 1 : KeyPriority.form, isActive: focused },
  );
  // The full key, value and meaning of the selected row (the list cuts them in a narrow side bar).
  const about = wrapRows(row?.key ? `${row.key} = ${row.value} · ${SETTING_KEYS[row.key]!.description}` : `${row?.label ?? ''}: ${row?.value ?? ''}`, width, 3);
  const problem = error ?? services.userProblem;
  const footerRows = about.length + (problem ? 2 : 0) + (editing !== null ? 1 : 0);
  const listRows = Math.max(1, height - footerRows - 1);
  const [start, end] = windowRange(rows.length, selected, listRows);
  const labelCols = Math.min(22, Math.max(10, Math.floor(width / 2)));
  return (
    <Box flexDirection="column">
      {rows.slice(start, end).map((r, i) => {
        const isSel = start + i === selected;
        const value = isSel && editing !== null ? `${editing}▏` : r.value;
        // A narrow side bar shows defaults.steps as d.steps (the footer names the full key).
        const label = r.label.length < labelCols ? r.label : r.label.replace(/^defaults\./, 'd.');
        return (
          <Text key={r.label} bold={isSel} inverse={isSel && focused && editing === null} color={r.key ? undefined : colors.text.muted}>
            {pad(label, labelCols)}{truncateStart(value, Math.max(1, width - labelCols))}
          </Text>
        );
      })}
      {editing !== null ? <Text color={colors.text.accent}>{truncate('Enter saves · Esc cancels · empty = default', width)}</Text> : null}
      {problem ? wrapRows(problem, width, 2).map((p, i) => <Text key={`p${i}`} color={colors.status.error}>{p}</Text>) : null}
      {about.map((a, i) => <Text key={`a${i}`} color={colors.text.muted}>{a}</Text>)}
    </Box>
  );
}
