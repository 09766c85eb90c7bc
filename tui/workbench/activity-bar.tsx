// The activity bar: one letter per view (J M O D S), the active one marked; 1–5 or a click switch views.
import { Box, Text } from 'ink';
import { inBox } from '../mouse/hit.js';
import { useMouse } from '../mouse/mouse-context.js';
import { colors } from '../theme/semantic-colors.js';
import { useLayoutDispatch } from './layout-context.js';
import { VIEWS, type ViewId } from './parts.js';

/** `top`: the screen row the bar starts on (under the daemon banner). */
export function ActivityBar({ active, height, top = 0 }: { active: ViewId; height: number; top?: number }) {
  const dispatch = useLayoutDispatch();
  useMouse((e) => {
    const at = e.kind === 'press' && e.button === 0 ? inBox(e, { x: 0, y: top, width: 3, height: Math.min(height, VIEWS.length) }) : null;
    if (at) dispatch({ type: 'showView', view: VIEWS[at.row]!.id });
  });
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
