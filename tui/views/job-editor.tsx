// Editor tab for one job: spec summary, stage, the section timeline in display and generation
// order, the step bar with s/step and ETAs, output / partial / error, and the newest preview.
import path from 'node:path';
import { Box, Text } from 'ink';
import { jobPercent, sectionCounter, shownState, type JobView } from '../daemon/jobs-store.js';
import { formatDuration } from '../daemon/residency-store.js';
import { colors, JOB_STATE_COLOR, JOB_STATE_GLYPH } from '../theme/semantic-colors.js';
import { gauge, truncate, truncateStart } from '../components/text-utils.js';
import { displayLine, generationLine, timelineOf } from './section-timeline.js';
import { Preview } from './preview.js';
import { STAGE_LABELS } from '../../shared/domain/progress.js';
import { jobSourcePath } from '../../shared/domain/job.js';

export function JobEditor({ view, width, height, daemonAnswers = true }: { view: JobView; width: number; height: number; daemonAnswers?: boolean }) {
  const j = view.job;
  const state = shownState(j, daemonAnswers);
  const s = j.spec;
  const p = j.progress;
  const t = timelineOf(view);
  const step = p?.step && p.section && p.step.section === p.section.index ? p.step : null;
  const barWidth = Math.max(5, Math.min(30, width - 40));
  const lines: { text: string; color?: string; bold?: boolean }[] = [];
  const stateText = state === 'unknown' ? 'unknown (was running; the daemon does not answer)' : j.state;
  lines.push({ text: `${JOB_STATE_GLYPH[state]} ${j.id} · ${stateText}${j.cancelRequested ? ` (cancel ${j.cancelRequested} requested)` : ''}${p && j.state === 'running' && state !== 'unknown' ? ` · ${STAGE_LABELS[p.stage]}` : ''}`, color: JOB_STATE_COLOR[state], bold: true });
  lines.push({ text: `prompt: ${s.prompt || '(empty)'}` });
  lines.push({ text: `${path.basename(jobSourcePath(s))} · ${s.seconds}s · seed ${s.seed} · ${s.steps} steps · gs ${s.gs} cfg ${s.cfg} · ${s.mode} · ${s.cache === 'mag' ? 'MagCache' : `TeaCache ${s.cache === 'off' || (s.cache === undefined && !s.teacache) ? 'off' : 'on'}`} · crf ${s.crf}`, color: colors.text.muted });
  if (t) {
    lines.push({ text: `sections ${sectionCounter(view)} · ${jobPercent(view)}% · ${p?.frames ?? 0} frames (${(p?.seconds ?? 0).toFixed(1)} s) decoded` });
    lines.push({ text: `timeline (video time →)  ${displayLine(t)}` });
    lines.push({ text: `generation order         ${generationLine(t)}` });
    if (s.mode === 'inverted') lines.push({ text: 'inverted: the end of the video is generated first, the start last', color: colors.text.muted });
  } else if (j.state === 'queued') {
    lines.push({ text: `queued at position ${(j.position ?? 0) + 1}`, color: colors.text.muted });
  }
  const sampling = p?.stage === 'sample';
  if (step && j.state === 'running' && sampling) {
    lines.push({ text: `step ${String(step.step).padStart(String(step.steps).length)}/${step.steps} ${gauge(step.step / step.steps, barWidth)} ${step.secPerStep.toFixed(2)} s/step` });
  }
  // One ETA for the whole job, the daemon's (measured sections, all stages: shared/domain/eta.ts),
  // as `framepack generate` and `jobs show` print it; it also moves during decode and encode.
  const etaJobMs = p?.etaJobMs ?? step?.etaJobMs;
  if (etaJobMs !== undefined && j.state === 'running' && state !== 'unknown') {
    lines.push({ text: `ETA job ${formatDuration(etaJobMs)}${step && sampling ? ` · section ${formatDuration(step.etaSectionMs)}` : ''}` });
  }
  if (j.outputPath) lines.push({ text: `output: ${truncateStart(j.outputPath, width - 8)}  (o opens)`, color: colors.status.ok });
  else if (j.partialPath) lines.push({ text: `partial: ${truncateStart(j.partialPath, width - 9)}`, color: colors.text.muted });
  if (j.error) lines.push({ text: `error ${j.error.code}: ${j.error.message}`, color: colors.status.error });
  if (j.timing) lines.push({ text: `took ${formatDuration(j.timing.totalMs)} (load ${formatDuration(j.timing.loadMs)}, sampling ${formatDuration(j.timing.sectionSampleMs.reduce((a, b) => a + b, 0))})`, color: colors.text.muted });
  lines.push({ text: 'c cancel · x cancel after section · r re-run new seed · y copy params', color: colors.text.muted });
  const previewRows = height - lines.length;
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      {lines.map((l, i) => (
        <Text key={i} color={l.color} bold={l.bold}>
          {truncate(l.text, width)}
        </Text>
      ))}
      <Preview frame={view.frame} latent={view.preview} width={width} height={previewRows} />
    </Box>
  );
}
