// `?` help: every command with its keys, grouped by category, plus the form keys; any key closes.
import { Box, Text } from 'ink';
import { chordsFor } from '../keys/keybindings.js';
import { KeyPriority, useKeypress } from '../keys/keypress-context.js';
import { colors } from '../theme/semantic-colors.js';
import { pad, truncate } from '../components/text-utils.js';
import { useLayoutDispatch } from '../workbench/layout-context.js';
import { useServices } from '../workbench/services-context.js';
import { useCommands } from './commands-context.js';

export function helpLines(commands: { id: string; title: string; category: string }[], bindings: Record<string, string>): string[] {
  const bound = commands.filter((c) => chordsFor(bindings, c.id).length > 0);
  return [
    ...bound.map((c) => `${pad(chordsFor(bindings, c.id).join(', '), 16)} ${c.category}: ${c.title}`),
    `${pad('↑↓ j k, Enter', 16)} move in lists, open the selected job`,
    `${pad('New-job form', 16)} ↑↓ fields · Tab completes the image path · Ctrl+R random seed · ←→ mode · Space TeaCache · Ctrl+S submit · Esc leave`,
  ];
}

export function HelpOverlay({ width, height }: { width: number; height: number }) {
  const dispatch = useLayoutDispatch();
  const { registry } = useCommands();
  const { bindings } = useServices();
  useKeypress(
    (e) => {
      if (e.chord === 'ctrl+c') return false;
      dispatch({ type: 'closeOverlay' });
      return true;
    },
    { priority: KeyPriority.overlay },
  );
  const lines = helpLines(registry.list(), bindings);
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text bold>KEYS (any key closes; Ctrl+P lists every command)</Text>
      {lines.slice(0, height - 1).map((l, i) => (
        <Text key={i} color={i >= lines.length - 2 ? colors.text.muted : undefined}>
          {truncate(l, width)}
        </Text>
      ))}
    </Box>
  );
}
