// The side bar hosts the active view's list and owns list navigation (↑/↓ or j/k, Enter opens the
// selected job in the editor) while it has focus.
import { Box, Text } from 'ink';
import { useEffect, useState } from 'react';
import { useDaemon } from '../daemon/daemon-context.js';
import { filterJobs, jobList, outputList } from '../daemon/jobs-store.js';
import { componentRows } from '../daemon/residency-store.js';
import { KeyPriority, useKeypress } from '../keys/keypress-context.js';
import { colors, focusBorderStyle } from '../theme/semantic-colors.js';
import { truncate, windowRange } from '../components/text-utils.js';
import { inBox, listIndexAt, sideListGeometry } from '../mouse/hit.js';
import { useMouse } from '../mouse/mouse-context.js';
import { DiagnosticsView } from '../views/diagnostics-view.js';
import { JobsView } from '../views/jobs-view.js';
import { ModelsView } from '../views/models-view.js';
import { OutputsView } from '../views/outputs-view.js';
import { SETTINGS_ROW_COUNT, SettingsView } from '../views/settings-view.js';
import { useLayout, useLayoutDispatch } from './layout-context.js';
import { Part, VIEWS, type ViewId } from './parts.js';
import { useServices } from './services-context.js';
import { useCommands } from '../commands/commands-context.js';


function useNow(intervalMs: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

/** `top`, `left`: the screen cell the side bar's box starts on (for the mouse). */
export function SideBar({ width, height, top = 0, left = 0 }: { width: number; height: number; top?: number; left?: number }) {
  const layout = useLayout();
  const dispatch = useLayoutDispatch();
  const daemon = useDaemon();
  const services = useServices();
  const commands = useCommands();
  const now = useNow(1000);
  const focused = layout.focus === Part.sideBar && layout.overlay === null;
  const view = layout.activeView;
  const selected = layout.selection[view];
  const counts: Record<ViewId, number> = {
    jobs: filterJobs(jobList(daemon.data.jobs), layout.listFilter.jobs).length,
    models: componentRows(daemon.data.residency).length,
    outputs: filterJobs(outputList(daemon.data.jobs), layout.listFilter.outputs).length,
    diagnostics: services.doctor.state === 'done' ? services.doctor.report.checks.length : 0,
    settings: SETTINGS_ROW_COUNT,
  };
  const filterable = view === 'jobs' || view === 'outputs';
  const query = filterable ? layout.listFilter[view] : '';
  // `/` filters the Jobs and Outputs lists (lazygit, k9s): typed text narrows the list as it is
  // typed; Enter keeps the filter, Esc clears it.
  useKeypress(
    (e) => {
      if (!filterable) return false;
      if (e.chord === 'escape') dispatch({ type: 'setFilter', view, query: '', editing: false });
      else if (e.chord === 'enter') dispatch({ type: 'setFilter', view, query, editing: false });
      else if (e.chord === 'backspace' || e.chord === 'delete') dispatch({ type: 'setFilter', view, query: query.slice(0, -1), editing: true });
      else if (!e.key.ctrl && !e.key.meta && e.input && !e.key.escape) dispatch({ type: 'setFilter', view, query: query + e.input.replace(/[\r\n]+/g, ''), editing: true });
      else return false;
      return true;
    },
    { priority: KeyPriority.form, isActive: focused && layout.filtering },
  );
  useKeypress(
    (e) => {
      if (e.chord === '/' && filterable) dispatch({ type: 'setFilter', view, query, editing: true });
      else if (e.chord === 'escape' && filterable && query !== '') dispatch({ type: 'setFilter', view, query: '', editing: false });
      else if (e.chord === 'up' || e.chord === 'k') dispatch({ type: 'moveSelection', view, delta: -1, count: counts[view] });
      else if (e.chord === 'down' || e.chord === 'j') dispatch({ type: 'moveSelection', view, delta: 1, count: counts[view] });
      else if (e.chord === 'home') dispatch({ type: 'select', view, index: 0 });
      else if (e.chord === 'end') dispatch({ type: 'select', view, index: counts[view] - 1 });
      else if (e.chord === 'enter' && view === 'outputs') {
        // A finished video's Enter plays it (Outputs: Open Output in Player).
        if (!filterJobs(outputList(daemon.data.jobs), layout.listFilter.outputs)[selected]) return false;
        void commands.run('outputs.open');
      } else if (e.chord === 'enter' && view === 'jobs') {
        const v = filterJobs(jobList(daemon.data.jobs), layout.listFilter.jobs)[selected];
        if (!v) return false;
        dispatch({ type: 'openJob', jobId: v.job.id });
        dispatch({ type: 'focus', part: Part.editor });
      } else if (e.chord === 'enter' && view === 'diagnostics') {
        dispatch({ type: 'showPanel', tab: 'problems' });
      } else return false;
      return true;
    },
    { priority: KeyPriority.part, isActive: focused },
  );
  const inner = width - 2;
  const bodyRows = height - 3;
  // The wheel moves the selection of any list; a click focuses the side bar and, in Jobs, Outputs
  // and Models (drawn and scrolled as sideListGeometry says), selects the row under it.
  useMouse((e) => {
    const at = inBox(e, { x: left, y: top, width, height });
    if (!at || layout.overlay !== null) return;
    if (e.kind === 'wheel-up' || e.kind === 'wheel-down') {
      dispatch({ type: 'moveSelection', view, delta: e.kind === 'wheel-up' ? -1 : 1, count: counts[view] });
      return;
    }
    if (e.kind !== 'press' || e.button !== 0) return;
    dispatch({ type: 'focus', part: Part.sideBar });
    const g = sideListGeometry(view, bodyRows);
    if (!g) return;
    const [start] = windowRange(counts[view], selected, g.windowItems);
    // Row 0 is the border, row 1 the title: the list starts at row 2.
    const index = listIndexAt(at.row - 2, { start, count: counts[view], headerRows: g.headerRows, rowsPerItem: g.rowsPerItem });
    if (index !== null) dispatch({ type: 'select', view, index });
  });
  const title = VIEWS.find((v) => v.id === view)!.title.toUpperCase();
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle={focusBorderStyle(focused)} borderColor={focused ? colors.border.focused : colors.border.normal} flexShrink={0} overflow="hidden">
      <Text bold color={focused ? colors.border.focused : undefined}>
        {truncate(filterable && (query !== '' || layout.filtering) ? `${title} /${query}${layout.filtering && focused ? '▏' : ''} (${counts[view]})` : title, inner)}
      </Text>
      <Box flexDirection="column" height={bodyRows} overflow="hidden">
        {view === 'jobs' ? <JobsView jobs={daemon.data.jobs} filter={layout.listFilter.jobs} selected={selected} width={inner} height={bodyRows} focused={focused} daemonAnswers={daemon.connection === 'ready'} /> : null}
        {view === 'models' ? <ModelsView residency={daemon.data.residency} selected={selected} width={inner} height={bodyRows} focused={focused} nowMs={now} /> : null}
        {view === 'outputs' ? <OutputsView jobs={daemon.data.jobs} filter={layout.listFilter.outputs} selected={selected} width={inner} height={bodyRows} focused={focused} /> : null}
        {view === 'diagnostics' ? <DiagnosticsView doctor={services.doctor} selected={selected} width={inner} height={bodyRows} focused={focused} /> : null}
        {view === 'settings' ? <SettingsView selected={selected} width={inner} height={bodyRows} focused={focused} /> : null}
      </Box>
    </Box>
  );
}
