// The command palette (Ctrl+P, F1): a filter line over the registry's applicable commands with
// each command's keybinding; ↑/↓ choose, Enter runs, Esc closes.
import { Box, Text } from 'ink';
import { useState } from 'react';
import { chordsFor } from '../keys/keybindings.js';
import { KeyPriority, useKeypress } from '../keys/keypress-context.js';
import { colors } from '../theme/semantic-colors.js';
import { pad, truncate, windowRange } from '../components/text-utils.js';
import { useLayoutDispatch } from '../workbench/layout-context.js';
import { useServices } from '../workbench/services-context.js';
import { filterCommands } from './command-registry.js';
import { useCommands } from './commands-context.js';

export function CommandPalette({ width, height }: { width: number; height: number }) {
  const [query, setQuery] = useState('');
  const [selected, setSelected] = useState(0);
  const { registry, context, run } = useCommands();
  const dispatch = useLayoutDispatch();
  const { bindings } = useServices();
  const matches = filterCommands(registry.list(context()), query);
  useKeypress(
    (e) => {
      const c = e.chord;
      if (c === 'escape' || c === 'ctrl+p' || c === 'f1') dispatch({ type: 'closeOverlay' });
      else if (c === 'up') setSelected((s) => Math.max(0, s - 1));
      else if (c === 'down') setSelected((s) => Math.min(matches.length - 1, s + 1));
      else if (c === 'enter') {
        const cmd = matches[selected];
        dispatch({ type: 'closeOverlay' });
        if (cmd) void run(cmd.id);
      } else if (c === 'backspace' || c === 'delete') {
        setQuery((q) => q.slice(0, -1));
        setSelected(0);
      } else if (c === 'ctrl+c') return false;
      else if (!e.key.ctrl && !e.key.meta && e.input) {
        setQuery((q) => q + e.input);
        setSelected(0);
      }
      return true; // the palette is modal
    },
    { priority: KeyPriority.overlay },
  );
  const listRows = Math.max(1, height - 2);
  const [start, end] = windowRange(matches.length, selected, listRows);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text>
        <Text bold color={colors.text.accent}>{'> '}</Text>
        <Text>{query}</Text>
        <Text inverse> </Text>
        <Text color={colors.text.muted}>  {matches.length} {matches.length === 1 ? 'command' : 'commands'} · Enter runs · Esc closes</Text>
      </Text>
      {matches.length === 0 ? <Text color={colors.text.muted}>no matching command</Text> : null}
      {matches.slice(start, end).map((cmd, i) => {
        const isSel = start + i === selected;
        const keys = chordsFor(bindings, cmd.id).join(', ');
        const label = `${cmd.category}: ${cmd.title}`;
        return (
          <Text key={cmd.id} inverse={isSel}>
            {pad(truncate(label, width - keys.length - 1), width - keys.length - 1)} <Text color={isSel ? undefined : colors.text.muted}>{keys}</Text>
          </Text>
        );
      })}
    </Box>
  );
}
