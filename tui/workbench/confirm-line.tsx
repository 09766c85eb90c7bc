// The one-row question over the status bar (lazygit's confirmation on destructive keys): y runs
// the action, Ctrl+C again too (the usual "press twice to quit"), any other key drops it.
import { Text } from 'ink';
import { KeyPriority, useKeypress } from '../keys/keypress-context.js';
import { colors } from '../theme/semantic-colors.js';
import { truncate } from '../components/text-utils.js';
import { useLayout, useLayoutDispatch } from './layout-context.js';

export function ConfirmLine({ width }: { width: number }) {
  const { confirm } = useLayout();
  const dispatch = useLayoutDispatch();
  useKeypress(
    (e) => {
      if (!confirm) return false;
      dispatch({ type: 'closeConfirm' });
      if (e.chord === 'y' || e.chord === 'Y' || e.chord === 'ctrl+c') confirm.run();
      return true;
    },
    { priority: KeyPriority.overlay + 10, isActive: confirm !== null },
  );
  if (!confirm) return null;
  return <Text color={colors.status.warn} bold>{truncate(`? ${confirm.text}  y yes · any other key no`, width)}</Text>;
}
