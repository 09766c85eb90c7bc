// The workbench grid (VS Code's, STYLE.md §1.3): activity bar, side bar and editor area side by
// side, the bottom panel under them, the status bar last. Sized from the terminal each render, so
// a resize re-lays it out; 80×24 is the smallest size it is designed for.
import { Box, useWindowSize } from 'ink';
import { useGlobalKeybindings } from '../commands/commands-context.js';
import { useDoctorAutoload } from '../daemon/use-doctor-autoload.js';
import type { ListDir } from '../views/path-completion.js';
import { useDaemon } from '../daemon/daemon-context.js';
import { ActivityBar } from './activity-bar.js';
import { bannerRows, DaemonBanner } from './daemon-banner.js';
import { ConfirmLine } from './confirm-line.js';
import { useServices } from './services-context.js';
import { EditorArea } from './editor-area.js';
import { useLayout } from './layout-context.js';
import { computeLayout } from './layout-state.js';
import { Panel } from './panel.js';
import { SideBar } from './side-bar.js';
import { StatusBar } from './status-bar.js';

export function Workbench({ size, listDir }: { size?: { columns: number; rows: number }; listDir?: ListDir }) {
  const window = useWindowSize();
  const cols = size?.columns ?? window.columns;
  const rows = size?.rows ?? window.rows;
  const layout = useLayout();
  const daemon = useDaemon();
  const services = useServices();
  useGlobalKeybindings();
  useDoctorAutoload();
  const canStart = services.startDaemon !== undefined;
  const banner = bannerRows(daemon, services.bindings, canStart, cols);
  const confirmRows = layout.confirm ? 1 : 0;
  const s = computeLayout(cols, rows - banner - confirmRows, layout.panelVisible);
  return (
    <Box flexDirection="column" width={cols} height={rows}>
      {banner > 0 ? <DaemonBanner width={cols} daemon={daemon} bindings={services.bindings} canStart={canStart} /> : null}
      <Box flexDirection="row" height={s.bodyRows}>
        <ActivityBar active={layout.activeView} height={s.bodyRows} top={banner} />
        <SideBar width={s.sideCols} height={s.bodyRows} top={banner} left={s.activityCols} />
        <EditorArea width={s.editorCols} height={s.bodyRows} top={banner} left={s.activityCols + s.sideCols} {...(listDir ? { listDir } : {})} />
      </Box>
      {layout.panelVisible ? <Panel width={cols} height={s.panelRows} top={banner + s.bodyRows} /> : null}
      <ConfirmLine width={cols} />
      <StatusBar width={cols} row={rows - 1} />
    </Box>
  );
}
