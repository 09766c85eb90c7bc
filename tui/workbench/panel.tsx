// The bottom panel: Logs (daemon log events and the dashboard's own notices), Problems (doctor
// results worst first, a broken settings file, failed jobs) and Daemon (status, protocol version,
// uptime, socket, clients).
import { Box, Text } from 'ink';
import { useDaemon } from '../daemon/daemon-context.js';
import { sortChecks } from '../daemon/doctor-runner.js';
import { jobList } from '../daemon/jobs-store.js';
import { formatLogLine } from '../daemon/logs-store.js';
import { formatDuration } from '../daemon/residency-store.js';
import { colors } from '../theme/semantic-colors.js';
import { truncate } from '../components/text-utils.js';
import { CHECK_GLYPH } from '../views/diagnostics-view.js';
import { useLayout } from './layout-context.js';
import { PANEL_TABS, Part } from './parts.js';
import { useServices } from './services-context.js';

const LEVEL_COLOR = { debug: colors.text.muted, info: undefined, warn: colors.status.warn, error: colors.status.error } as const;

export function Panel({ width, height }: { width: number; height: number }) {
  const layout = useLayout();
  const focused = layout.focus === Part.panel && layout.overlay === null;
  const inner = width - 2;
  const rows = height - 3;
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="round" borderColor={focused ? colors.border.focused : colors.border.normal} overflow="hidden">
      <Text>
        {PANEL_TABS.map((t) => (
          <Text key={t.id} bold={t.id === layout.panelTab} underline={t.id === layout.panelTab} color={t.id === layout.panelTab ? undefined : colors.text.muted}>
            {` ${t.title.toUpperCase()} `}
          </Text>
        ))}
        <Text color={colors.text.muted}> (t switches)</Text>
      </Text>
      <Box flexDirection="column" height={rows} overflow="hidden">
        {layout.panelTab === 'logs' ? <LogsTab width={inner} rows={rows} /> : null}
        {layout.panelTab === 'problems' ? <ProblemsTab width={inner} rows={rows} /> : null}
        {layout.panelTab === 'daemon' ? <DaemonTab width={inner} /> : null}
      </Box>
    </Box>
  );
}

function LogsTab({ width, rows }: { width: number; rows: number }) {
  const { data } = useDaemon();
  const lines = data.logs.slice(-rows);
  if (lines.length === 0) return <Text color={colors.text.muted}>no log lines yet</Text>;
  return (
    <>
      {lines.map((l, i) => (
        <Text key={i} color={LEVEL_COLOR[l.level]}>
          {truncate(formatLogLine(l), width)}
        </Text>
      ))}
    </>
  );
}

function ProblemsTab({ width, rows }: { width: number; rows: number }) {
  const services = useServices();
  const { data } = useDaemon();
  const items: { text: string; color?: string }[] = [];
  if (services.settingsProblem) items.push({ text: `✖ settings: ${services.settingsProblem}`, color: colors.status.error });
  if (services.userProblem) items.push({ text: `✖ settings: ${services.userProblem}`, color: colors.status.error });
  const d = services.doctor;
  if (d.state === 'idle') items.push({ text: 'doctor not run yet: d (or Ctrl+P › Run Doctor)', color: colors.text.muted });
  if (d.state === 'running') items.push({ text: 'doctor running…', color: colors.status.info });
  if (d.state === 'error') items.push({ text: `✖ doctor: ${d.error}`, color: colors.status.error });
  if (d.state === 'done') {
    const bad = sortChecks(d.report.checks).filter((c) => c.status !== 'ok');
    if (bad.length === 0) items.push({ text: `✔ doctor: all ${d.report.checks.length} checks ok (${d.report.provider ?? 'cpu'})`, color: colors.status.ok });
    else if (d.report.provider) items.push({ text: `runs on ${d.report.provider}${d.report.providerReason ? `: ${d.report.providerReason}` : ''}`, color: colors.text.muted });
    for (const c of bad) items.push({ text: `${CHECK_GLYPH[c.status]} ${c.id}: ${c.finding}${c.fix ? ` → ${c.fix}` : ''}`, color: c.status === 'fail' ? colors.status.error : colors.status.warn });
  }
  for (const v of jobList(data.jobs).filter((x) => x.job.state === 'failed').slice(0, 5)) {
    items.push({ text: `✖ job ${v.job.id}: ${v.job.error?.code ?? ''} ${v.job.error?.message ?? ''}`, color: colors.status.error });
  }
  return (
    <>
      {items.slice(0, rows).map((it, i) => (
        <Text key={i} color={it.color}>
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
