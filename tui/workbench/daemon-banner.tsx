// The banner over the workbench while the daemon does not answer (issue 16 item 3): why (the
// reason from daemon-down.ts, or the daemon's own start-failure message, wrapped to at most
// MAX_REASON_ROWS rows so a narrow terminal still shows it), and the one key that starts a new
// daemon. bannerLines() is the layout's source of truth for its height.
import { Box, Text } from 'ink';
import type { DaemonState } from '../daemon/daemon-context.js';
import { chordsFor } from '../keys/keybindings.js';
import { colors } from '../theme/semantic-colors.js';
import { truncate, wrapRows } from '../components/text-utils.js';

const MAX_REASON_ROWS = 3;

export function bannerShown(daemon: DaemonState): boolean {
  return daemon.connection !== 'ready' && daemon.connection !== 'connecting' && daemon.down !== null;
}

/** The banner's rows as text (tests read them): the reason (wrapped), then what to do. */
export function bannerLines(daemon: DaemonState, bindings: Readonly<Record<string, string>>, canStart: boolean, width: number): { reason: string[]; action: string } {
  const key = chordsFor(bindings, 'daemon.start')[0];
  const action = daemon.restarting
    ? 'starting the daemon…'
    : canStart && key
      ? `${key} restart the daemon · running jobs show as unknown until it answers · q quit`
      : 'start it with `framepack daemon start`; the dashboard reconnects by itself · q quit';
  return { reason: wrapRows(`✖ ${daemon.down ?? 'the daemon does not answer'}`, width, MAX_REASON_ROWS), action: truncate(action, width) };
}

export function bannerRows(daemon: DaemonState, bindings: Readonly<Record<string, string>>, canStart: boolean, width: number): number {
  return bannerShown(daemon) ? bannerLines(daemon, bindings, canStart, width).reason.length + 1 : 0;
}

export function DaemonBanner({ width, daemon, bindings, canStart }: { width: number; daemon: DaemonState; bindings: Readonly<Record<string, string>>; canStart: boolean }) {
  const { reason, action } = bannerLines(daemon, bindings, canStart, width);
  return (
    <Box flexDirection="column" width={width} height={reason.length + 1} flexShrink={0}>
      {reason.map((row, i) => (
        <Text key={i} color={colors.status.error} bold>{row}</Text>
      ))}
      <Text color={colors.status.warn}>{action}</Text>
    </Box>
  );
}
