// The activity bar: one letter per view (J M O D S), the active one marked; 1–5 switch views.
import { Box, Text } from 'ink';
import { colors } from '../theme/semantic-colors.js';
import { VIEWS, type ViewId } from './parts.js';

export function ActivityBar({ active, height }: { active: ViewId; height: number }) {
  return (
    <Box flexDirection="column" width={3} height={height} flexShrink={0}>
      {VIEWS.map((v) => {
        const on = v.id === active;
        return (
          <Text key={v.id} inverse={on} color={on ? colors.border.focused : colors.text.muted}>
            {on ? '▌' : ' '}
            {v.title[0]}
            {' '}
          </Text>
        );
      })}
    </Box>
  );
}
