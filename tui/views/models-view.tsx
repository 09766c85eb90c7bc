// Side-bar list of model components, ollama `ps` style: state, bytes held and "until" (keep-alive
// expiry), grouped by model. l loads (pre-warms) the selected model or component, u unloads.
import { Box, Text } from 'ink';
import { componentRows, formatBytes, untilText, type ResidencyState } from '../daemon/residency-store.js';
import { colors } from '../theme/semantic-colors.js';
import { pad, truncate, windowRange } from '../components/text-utils.js';

const STATE_GLYPH = { loaded: '●', loading: '◐', unloading: '◑', unloaded: '○' } as const;

export function ModelsView({ residency, selected, width, height, focused, nowMs }: { residency: ResidencyState; selected: number; width: number; height: number; focused: boolean; nowMs: number }) {
  const rows = componentRows(residency);
  if (rows.length === 0) return <Text color={colors.text.muted}>{truncate('No models reported by the daemon', width)}</Text>;
  const [start, end] = windowRange(rows.length, selected, Math.max(1, height - 1));
  return (
    <Box flexDirection="column">
      <Text color={colors.text.muted}>{truncate(residency.models.map((m) => `${m.name}${m.available ? '' : ' (missing)'}`).join(', '), width)}</Text>
      {rows.slice(start, end).map((c, i) => {
        const index = start + i;
        const isSel = index === selected;
        const bytes = c.state === 'unloaded' ? '' : formatBytes(c.vramBytes > 0 ? c.vramBytes : c.ramBytes);
        const right = `${bytes} ${untilText(c, nowMs)}`.trim();
        const left = `${STATE_GLYPH[c.state]} ${c.component}`;
        const room = Math.max(1, width - right.length - 1);
        return (
          <Text key={`${c.model}/${c.component}`} inverse={isSel && focused} bold={isSel} color={c.state === 'loaded' ? colors.status.ok : colors.text.muted}>
            {pad(left, room)} {right}
          </Text>
        );
      })}
    </Box>
  );
}
