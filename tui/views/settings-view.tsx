// Side-bar Settings: the player command (Enter edits it; saved to the settings file), and where the
// dashboard's files and socket are. Player resolution: settings, else $FRAMEPACK_PLAYER, else the
// system opener.
import { Box, Text } from 'ink';
import { useState } from 'react';
import { KeyPriority, useKeypress } from '../keys/keypress-context.js';
import { colors } from '../theme/semantic-colors.js';
import { truncate, truncateStart } from '../components/text-utils.js';
import { useServices } from '../workbench/services-context.js';

export function settingsRows(s: ReturnType<typeof useServices>): { label: string; value: string }[] {
  return [
    { label: 'Player', value: `${[s.player.command, ...s.player.args].join(' ')} (${s.player.source})` },
    { label: 'Settings file', value: s.settingsFile },
    { label: 'Socket', value: s.paths.socketFile },
    { label: 'Data dir', value: s.paths.dataDir },
    { label: 'Dashboard log', value: s.paths.tuiLogFile },
    { label: 'Key overrides', value: String(Object.keys(s.settings.keybindings ?? {}).length) },
  ];
}

export function SettingsView({ selected, width, focused }: { selected: number; width: number; focused: boolean }) {
  const services = useServices();
  const [editing, setEditing] = useState<string | null>(null);
  useKeypress(
    (e) => {
      if (editing === null) {
        if (e.chord === 'enter' && selected === 0) {
          setEditing(services.settings.player ?? '');
          return true;
        }
        return false;
      }
      if (e.chord === 'escape') setEditing(null);
      else if (e.chord === 'enter') {
        const player = editing.trim();
        services.updateSettings({ player: player === '' ? undefined : player });
        setEditing(null);
      } else if (e.chord === 'backspace' || e.chord === 'delete') setEditing(editing.slice(0, -1));
      else if (!e.key.ctrl && !e.key.meta && e.input) setEditing(editing + e.input);
      return true; // a text field swallows every other key
    },
    { priority: editing === null ? KeyPriority.part + 1 : KeyPriority.form, isActive: focused },
  );
  const rows = settingsRows(services);
  return (
    <Box flexDirection="column">
      {rows.map((r, i) => {
        const isSel = i === selected;
        if (i === 0 && editing !== null) {
          return (
            <Box key={r.label} flexDirection="column">
              <Text bold>{truncate('Player (Enter saves, Esc cancels; empty = default):', width)}</Text>
              <Text inverse>{truncateStart(`${editing}▏`, width)}</Text>
            </Box>
          );
        }
        return (
          <Box key={r.label} flexDirection="column">
            <Text bold={isSel} inverse={isSel && focused}>{truncate(r.label + (i === 0 ? ' (Enter edits)' : ''), width)}</Text>
            <Text color={colors.text.muted}>{truncateStart(`  ${r.value}`, width)}</Text>
          </Box>
        );
      })}
      {services.settingsProblem ? <Text color={colors.status.error}>{truncate(services.settingsProblem, width)}</Text> : null}
    </Box>
  );
}
