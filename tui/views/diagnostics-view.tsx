// Side-bar Diagnostics: the doctor's checks, worst first — the daemon's cached start-up report
// (daemon.doctor), re-run with d. Each row says what was found, as `framepack doctor` does (not
// just the check's id); the selected check's finding and fix are shown in full under the list.
import { Box, Text } from 'ink';
import { sortChecks } from '../daemon/doctor-runner.js';
import { colors } from '../theme/semantic-colors.js';
import { truncate, windowRange, wrapRows } from '../components/text-utils.js';
import type { DoctorRun } from '../workbench/services-context.js';

export const CHECK_GLYPH = { ok: '✔', warn: '⚠', fail: '✖' } as const;
const CHECK_COLOR = { ok: colors.status.ok, warn: colors.status.warn, fail: colors.status.error } as const;

export function DiagnosticsView({ doctor, selected, width, height, focused }: { doctor: DoctorRun; selected: number; width: number; height: number; focused: boolean }) {
  if (doctor.state === 'idle') return <Text color={colors.text.muted}>{truncate('d: run the doctor', width)}</Text>;
  if (doctor.state === 'running') return <Text color={colors.status.info}>{truncate('running the doctor…', width)}</Text>;
  if (doctor.state === 'error') return <Text color={colors.status.error}>{truncate(`doctor: ${doctor.error}`, width)}</Text>;
  const checks = sortChecks(doctor.report.checks);
  const sel = checks[Math.min(selected, checks.length - 1)];
  const about = sel ? wrapRows(`${sel.id}: ${sel.finding}${sel.fix ? ` → ${sel.fix}` : ''}`, width, 4) : [];
  const [start, end] = windowRange(checks.length, selected, Math.max(1, height - 2 - about.length));
  return (
    <Box flexDirection="column">
      <Text color={CHECK_COLOR[doctor.report.status]}>{truncate(`overall ${doctor.report.status} · ${checks.length} checks${doctor.report.provider ? ` · ${doctor.report.provider}` : ''}`, width)}</Text>
      {checks.slice(start, end).map((c, i) => {
        const isSel = start + i === selected;
        return (
          <Text key={c.id} inverse={isSel && focused} color={isSel && focused ? undefined : CHECK_COLOR[c.status]}>
            {truncate(`${CHECK_GLYPH[c.status]} ${c.id} · ${c.finding}`, width)}
          </Text>
        );
      })}
      {about.map((a, i) => <Text key={`about-${i}`} color={colors.text.muted}>{a}</Text>)}
    </Box>
  );
}
