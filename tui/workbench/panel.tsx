// The bottom panel: Logs (daemon log events and the dashboard's own notices), Problems (doctor
// results worst first, a broken settings file, failed jobs) and Daemon (status, protocol version,
// uptime, socket, clients). With the panel focused (Tab), ↑↓ j k PgUp PgDn Home End scroll Logs
// (End follows new lines again) and move the selection in Problems, where Enter opens a failed job.
import { Box, Text } from 'ink';
import { useState } from 'react';
import { KeyPriority, useKeypress } from '../keys/keypress-context.js';
import { inBox, WHEEL_LINES } from '../mouse/hit.js';
import { useMouse } from '../mouse/mouse-context.js';
import { panelTabAt } from '../mouse/buttons.js';
import { logWindow, moveSelection, scrollLogs, type ProblemItem } from './panel-lists.js';
import { useLayoutDispatch } from './layout-context.js';
import { windowRange } from '../components/text-utils.js';
import { useDaemon } from '../daemon/daemon-context.js';
import { sortChecks } from '../daemon/doctor-runner.js';
import { jobList } from '../daemon/jobs-store.js';
import { formatLogLine } from '../daemon/logs-store.js';
import { formatDuration } from '../daemon/residency-store.js';
import { colors, focusBorderStyle } from '../theme/semantic-colors.js';
import { truncate } from '../components/text-utils.js';
import { CHECK_GLYPH } from '../views/diagnostics-view.js';
import { useLayout } from './layout-context.js';
import { PANEL_TABS, Part } from './parts.js';
import { useServices } from './services-context.js';

const LEVEL_COLOR = { debug: colors.text.muted, info: undefined, warn: colors.status.warn, error: colors.status.error } as const;

/** `top`: the screen row the panel starts on (for the mouse). */
export function Panel({ width, height, top = 0 }: { width: number; height: number; top?: number }) {
  const layout = useLayout();
  const dispatch = useLayoutDispatch();
  const { data } = useDaemon();
  const services = useServices();
  const focused = layout.focus === Part.panel && layout.overlay === null;
  const inner = width - 2;
  const rows = height - 3;
  const [logsFromBottom, setLogsFromBottom] = useState(0);
  const [problemSel, setProblemSel] = useState(0);
  const problems = problemItems(services, data);
  // The wheel scrolls Logs (and moves the Problems selection) wherever the focus is; a click focuses the panel.
  useMouse((e) => {
    if (!inBox(e, { x: 0, y: top, width, height })) return;
    if (e.kind === 'press') {
      if (layout.overlay === null) dispatch({ type: 'focus', part: Part.panel });
      // The title row (under the border): a click on a tab's name shows that tab.
      const tab = e.y === top + 1 ? panelTabAt(e.x - 1, PANEL_TABS) : null;
      if (tab) dispatch({ type: 'showPanel', tab });
      return;
    }
    const chord = e.kind === 'wheel-up' ? 'up' : e.kind === 'wheel-down' ? 'down' : null;
    if (!chord) return;
    if (layout.panelTab === 'logs') {
      let at = logsFromBottom;
      for (let i = 0; i < WHEEL_LINES; i++) at = scrollLogs(at, chord, data.logs.length, rows - 1) ?? at;
      setLogsFromBottom(at);
    } else if (layout.panelTab === 'problems') {
      const next = moveSelection(problemSel, chord, problems.length);
      if (next !== null) setProblemSel(next);
    }
  });
  useKeypress(
    (e) => {
      if (layout.panelTab === 'logs') {
        // Scrolled back, one row says where we are: the lines take the rest.
        const next = scrollLogs(logsFromBottom, e.chord, data.logs.length, rows - 1);
        if (next === null) return false;
        setLogsFromBottom(next);
        return true;
      }
      if (layout.panelTab === 'problems') {
        if (e.chord === 'enter') {
          const jobId = problems[Math.min(problemSel, problems.length - 1)]?.jobId;
          if (!jobId) return false;
          dispatch({ type: 'openJob', jobId });
          dispatch({ type: 'focus', part: Part.editor });
          return true;
        }
        const next = moveSelection(problemSel, e.chord, problems.length);
        if (next === null) return false;
        setProblemSel(next);
        return true;
      }
      return false;
    },
    { priority: KeyPriority.part, isActive: focused },
  );
  const hint = !focused ? ' (t switches · Tab here to scroll)' : layout.panelTab === 'problems' ? ' (t switches · ↑↓ select · Enter opens the job)' : ' (t switches · ↑↓ PgUp PgDn scroll · End follows)';
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle={focusBorderStyle(focused)} borderColor={focused ? colors.border.focused : colors.border.normal} overflow="hidden">
      <Text>
        {PANEL_TABS.map((t) => (
          <Text key={t.id} bold={t.id === layout.panelTab} underline={t.id === layout.panelTab} color={t.id === layout.panelTab ? undefined : colors.text.muted}>
            {` ${t.title.toUpperCase()} `}
          </Text>
        ))}
        <Text color={colors.text.muted}>{hint}</Text>
      </Text>
      <Box flexDirection="column" height={rows} overflow="hidden">
        {layout.panelTab === 'logs' ? <LogsTab width={inner} rows={rows} fromBottom={logsFromBottom} /> : null}
        {layout.panelTab === 'problems' ? <ProblemsTab width={inner} rows={rows} items={problems} selected={focused ? Math.min(problemSel, problems.length - 1) : -1} /> : null}
        {layout.panelTab === 'daemon' ? <DaemonTab width={inner} /> : null}
      </Box>
    </Box>
  );
}

function LogsTab({ width, rows, fromBottom }: { width: number; rows: number; fromBottom: number }) {
  const { data } = useDaemon();
  if (data.logs.length === 0) return <Text color={colors.text.muted}>no log lines yet</Text>;
  const [start, end] = logWindow(data.logs.length, fromBottom > 0 ? rows - 1 : rows, fromBottom);
  return (
    <>
      {fromBottom > 0 ? <Text color={colors.text.muted}>{truncate(`lines ${start + 1}–${end} of ${data.logs.length} · End follows new lines`, width)}</Text> : null}
      {data.logs.slice(start, end).map((l, i) => (
        <Text key={start + i} color={LEVEL_COLOR[l.level]}>
          {truncate(formatLogLine(l), width)}
        </Text>
      ))}
    </>
  );
}

const PROBLEM_COLOR = { ok: colors.status.ok, info: colors.status.info, muted: colors.text.muted, warn: colors.status.warn, error: colors.status.error } as const;

function problemItems(services: ReturnType<typeof useServices>, data: ReturnType<typeof useDaemon>['data']): ProblemItem[] {
  const items: ProblemItem[] = [];
  if (services.settingsProblem) items.push({ text: `✖ settings: ${services.settingsProblem}`, level: 'error' });
  if (services.userProblem) items.push({ text: `✖ settings: ${services.userProblem}`, level: 'error' });
  const d = services.doctor;
  if (d.state === 'idle') items.push({ text: 'doctor not run yet: d (or Ctrl+P › Run Doctor)', level: 'muted' });
  if (d.state === 'running') items.push({ text: 'doctor running…', level: 'info' });
  if (d.state === 'error') items.push({ text: `✖ doctor: ${d.error}`, level: 'error' });
  if (d.state === 'done') {
    const bad = sortChecks(d.report.checks).filter((c) => c.status !== 'ok');
    if (bad.length === 0) items.push({ text: `✔ doctor: all ${d.report.checks.length} checks ok (${d.report.provider ?? 'cpu'})`, level: 'ok' });
    else if (d.report.provider) items.push({ text: `runs on ${d.report.provider}${d.report.providerReason ? `: ${d.report.providerReason}` : ''}`, level: 'muted' });
    for (const c of bad) items.push({ text: `${CHECK_GLYPH[c.status]} ${c.id}: ${c.finding}${c.fix ? ` → ${c.fix}` : ''}`, level: c.status === 'fail' ? 'error' : 'warn' });
  }
  for (const v of jobList(data.jobs).filter((x) => x.job.state === 'failed')) {
    items.push({ text: `✖ job ${v.job.id}: ${v.job.error?.code ?? ''} ${v.job.error?.message ?? ''}`, level: 'error', jobId: v.job.id });
  }
  return items;
}

function ProblemsTab({ width, rows, items, selected }: { width: number; rows: number; items: ProblemItem[]; selected: number }) {
  const [start, end] = windowRange(items.length, Math.max(0, selected), rows);
  return (
    <>
      {items.slice(start, end).map((it, i) => (
        <Text key={start + i} color={start + i === selected ? undefined : PROBLEM_COLOR[it.level]} inverse={start + i === selected}>
          {truncate(it.text, width)}
        </Text>
      ))}
    </>
  );
}

function DaemonTab({ width }: { width: number }) {
  const { connection, hello, data } = useDaemon();
  const services = useServices();
  const s = data.status;
  const lines = [
    `state ${connection}${hello ? ` · pid ${hello.pid} · daemon ${hello.daemonVersion} · protocol ${hello.protocolVersion}` : ''}`,
    s ? `uptime ${formatDuration(s.uptimeMs)} · clients ${s.clients.length} · queue ${s.queue.queued}/${s.queue.limit}${s.queue.paused ? ' (paused)' : ''}` : 'status: waiting for daemon.status',
    ...(s?.cluster ? [`shared queue ${s.cluster.queue} · worker ${s.cluster.worker} · ${s.cluster.connected ? 'connected' : 'redis unreachable'}${s.cluster.running ? ` · running ${s.cluster.running}` : ''} · ${s.cluster.done} done`] : []),
    `socket ${s?.socketPath ?? services.paths.socketFile}`,
    `log ${services.paths.daemonLogFile}`,
  ];
  return (
    <>
      {lines.map((l, i) => (
        <Text key={i}>{truncate(l, width)}</Text>
      ))}
    </>
  );
}
