// Editor tab: the new-job form. Every field of JobSpec the official demo exposes, validated by
// the protocol schema before submit, and the plan shown before submitting — as far as the protocol
// allows: it has no plan method, so sections come from an earlier job the daemon ran with the same
// length/window/mode, and time from the newest measured s/step.
import { Box, Text } from 'ink';
import { useReducer } from 'react';
import { RpcError, type JobSpec } from '../../shared/protocol/index.js';
import { useDaemon, useDaemonActions } from '../daemon/daemon-context.js';
import { measuredSecPerStep, observedSections, type JobsState } from '../daemon/jobs-store.js';
import { formatDuration } from '../daemon/residency-store.js';
import { KeyPriority, useKeypress } from '../keys/keypress-context.js';
import { colors } from '../theme/semantic-colors.js';
import { pad, truncate, truncateStart, windowRange } from '../components/text-utils.js';
import { useLayoutDispatch } from '../workbench/layout-context.js';
import { Part } from '../workbench/parts.js';
import { buildSpec, FIELDS, formReducer, initialForm, randomSeed, SUBMIT_INDEX, type FormValues } from './form-state.js';
import { completePath, type ListDir } from './path-completion.js';

const LABEL_COLS = 13;

/** The plan lines shown under the form (pure, for tests). */
export function planLines(values: FormValues, jobs: JobsState): string[] {
  const built = buildSpec(values);
  const seconds = Number(values.seconds);
  const window = Number(values.window);
  const steps = Number(values.steps);
  const mode = values.mode as JobSpec['mode'];
  const sections = Number.isFinite(seconds) && Number.isFinite(window) ? observedSections(jobs, { seconds, window, mode }) : null;
  const measured = measuredSecPerStep(jobs);
  const lines: string[] = [];
  lines.push(
    sections
      ? `plan: ${sections.sections} sections${sections.frames ? ` · ${sections.frames} frames` : ''} (as job ${sections.jobId}) · bucket chosen by the daemon`
      : 'plan: sections and frames appear when the job starts (the protocol has no plan call)',
  );
  if (measured && Number.isFinite(steps)) {
    const perSection = measured.secPerStep * steps * 1000;
    lines.push(`time: ${measured.secPerStep.toFixed(2)} s/step → ${formatDuration(perSection)}/section${sections ? ` · ≈${formatDuration(perSection * sections.sections)} in all` : ''}`);
  } else lines.push('time: estimated once a job has measured s/step');
  if (!built.ok) lines.push(`fix: ${Object.entries(built.errors).map(([k, v]) => `${k} ${v}`).join('; ')}`);
  return lines;
}

export function NewJobForm({ from, width, height, focused, listDir }: { from: JobSpec | null; width: number; height: number; focused: boolean; listDir?: ListDir }) {
  const [state, dispatch] = useReducer(formReducer, from, initialForm);
  const daemon = useDaemon();
  const actions = useDaemonActions();
  const layoutDispatch = useLayoutDispatch();
  const notify = (text: string, level: 'info' | 'warn' | 'error' = 'info') => layoutDispatch({ type: 'notify', notice: { text, level } });

  const submit = async () => {
    const built = buildSpec(state.values);
    if (!built.ok) {
      dispatch({ type: 'errors', errors: built.errors });
      notify(`cannot submit: ${Object.keys(built.errors).join(', ')}`, 'error');
      return;
    }
    try {
      const { jobId, position } = await actions.call('jobs.submit', built.spec);
      notify(`queued ${jobId} at position ${position + 1}`);
      layoutDispatch({ type: 'openJob', jobId });
    } catch (err: unknown) {
      const msg = err instanceof RpcError ? `${err.code}: ${err.message}` : (err as Error).message;
      notify(`submit failed: ${msg}`, 'error');
    }
  };

  useKeypress(
    (e) => {
      const f = FIELDS[state.focus];
      const c = e.chord;
      if (c === 'ctrl+s') void submit();
      else if (c === 'escape') layoutDispatch({ type: 'focus', part: Part.sideBar });
      else if (c === 'up' || c === 'shift+tab') dispatch({ type: 'focus', delta: -1 });
      else if (c === 'down') dispatch({ type: 'focus', delta: 1 });
      else if (c === 'tab') {
        if (f?.kind === 'path') {
          const done = completePath(state.values.image, listDir);
          dispatch({ type: 'completions', value: done.value, candidates: done.candidates });
        } else dispatch({ type: 'focus', delta: 1 });
      } else if (c === 'enter') {
        if (state.focus === SUBMIT_INDEX) void submit();
        else dispatch({ type: 'focus', delta: 1 });
      } else if (c === 'ctrl+r') dispatch({ type: 'randomSeed', seed: randomSeed() });
      else if (c === 'ctrl+u') dispatch({ type: 'clearField' });
      else if ((c === 'left' || c === 'right') && (f?.kind === 'choice' || f?.kind === 'toggle')) dispatch({ type: 'cycle', delta: c === 'left' ? -1 : 1 });
      else if (c === ' ' && f?.kind === 'toggle') dispatch({ type: 'cycle', delta: 1 });
      else if (c === 'backspace' || c === 'delete') dispatch({ type: 'backspace' });
      else if (!e.key.ctrl && !e.key.meta && e.input && !e.key.escape) {
        if (state.focus === SUBMIT_INDEX) return false; // letters on the button fall through to global keys
        dispatch({ type: 'input', text: e.input });
      } else return false; // Ctrl+P, F1, Ctrl+C … reach the global handler
      return true;
    },
    { priority: KeyPriority.form, isActive: focused },
  );

  const plan = planLines(state.values, daemon.data.jobs);
  const extra = state.completions.length > 0 ? 1 : 0;
  const fieldRows = Math.max(3, height - 1 - plan.length - extra);
  const [start, end] = windowRange(SUBMIT_INDEX + 1, state.focus, fieldRows);
  const valueCols = Math.max(8, width - LABEL_COLS - 1);
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text bold>{truncate(`NEW JOB${from ? ' (copied parameters)' : ''} · ↑↓ move · Enter next · Ctrl+S submit · Esc leave`, width)}</Text>
      {Array.from({ length: end - start }, (_, k) => start + k).map((i) => {
        const isFocus = i === state.focus && focused;
        if (i === SUBMIT_INDEX) {
          return (
            <Text key="submit" inverse={isFocus} bold color={colors.status.ok}>
              {pad('[ Submit job ]', Math.min(width, 16))}
            </Text>
          );
        }
        const f = FIELDS[i]!;
        const raw = state.values[f.id];
        const shown = f.kind === 'choice' ? `‹ ${raw} ›` : f.kind === 'toggle' ? `[${raw === 'on' ? 'x' : ' '}] ${raw}` : raw;
        const err = state.errors[f.id];
        const hint = err ? ` ✖ ${err}` : isFocus && f.hint ? `  ${f.hint}` : '';
        const value = f.kind === 'path' ? truncateStart(shown + (isFocus ? '▏' : ''), valueCols) : truncate(shown + (isFocus ? '▏' : ''), valueCols);
        return (
          <Text key={f.id}>
            <Text color={isFocus ? colors.border.focused : colors.text.muted} bold={isFocus}>{pad(f.label, LABEL_COLS)} </Text>
            <Text inverse={isFocus}>{value}</Text>
            <Text color={err ? colors.status.error : colors.text.muted}>{truncate(hint, Math.max(0, valueCols - [...value].length))}</Text>
          </Text>
        );
      })}
      {extra ? <Text color={colors.text.muted}>{truncate(`matches: ${state.completions.join('  ')}`, width)}</Text> : null}
      {plan.map((l, i) => (
        <Text key={`plan-${i}`} color={l.startsWith('fix:') ? colors.status.warn : colors.status.info}>
          {truncate(l, width)}
        </Text>
      ))}
    </Box>
  );
}
