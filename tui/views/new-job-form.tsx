// Editor tab: the new-job form. Every field of JobSpec the official demo exposes, validated by
// the protocol schema before submit, and the plan shown before submitting: the daemon's jobs.plan
// (bucket, sections in generation and video order, frames, time from its measured s/step), asked
// again a moment after the plan fields change. A daemon without jobs.plan gets the old estimate:
// sections from an earlier job with the same length/window/mode, time from the newest s/step.
import { Box, Text } from 'ink';
import { useEffect, useReducer, useRef, useState } from 'react';
import { RpcError, type JobSpec, type JobSpecInput } from '../../shared/protocol/index.js';
import { useDaemon, useDaemonActions } from '../daemon/daemon-context.js';
import { measuredSecPerStep, observedSections, type JobsState } from '../daemon/jobs-store.js';
import { formatDuration } from '../daemon/residency-store.js';
import { KeyPriority, useKeypress } from '../keys/keypress-context.js';
import { colors } from '../theme/semantic-colors.js';
import { pad, truncate, truncateStart, windowRange, wrapRows } from '../components/text-utils.js';
import { FORM_KEYS_SHORT } from '../commands/help-overlay.js';
import { useLayout, useLayoutDispatch } from '../workbench/layout-context.js';
import { useServices } from '../workbench/services-context.js';
import { Part } from '../workbench/parts.js';
import { buildSpec, FIELDS, type FieldId, type FormState, formReducer, hiddenSpec, initialForm, randomSeed, specFromDefaults, type FormValues } from './form-state.js';
import { focusedField, focusedRow, formRows, groupHeaderText, groupSummary } from './form-groups.js';
import { completePath, type ListDir } from './path-completion.js';
import { applyPreset, presetFromForm } from './form-presets.js';
import { getPreset, presetSummary, readPresets, savePreset } from '../../shared/settings/presets.js';
import { PLAN_DEBOUNCE_MS, PLAN_FEATURE, planParams, planStateLines, type PlanState } from './plan-preview.js';
import { useFormMouse } from './form-mouse.js';

const LABEL_COLS = 13;

/** The plan lines shown under the form (pure, for tests); `plan` is the jobs.plan state, or null for a daemon without it. */
export function planLines(values: FormValues, jobs: JobsState, plan: PlanState | null = null, width?: number): string[] {
  const built = buildSpec(values);
  if (plan) {
    let lines = planStateLines(plan, width);
    if (plan.state === 'none') {
      // Nothing to plan yet. Without an image the fix line says what is missing: one line, not two
      // saying the same (at 80×24 that row keeps Submit in view). An extension has no image to plan from.
      if (!built.ok && built.errors.image) lines = [];
      else if (values.extend.trim() !== '' || values.extendJob.trim() !== '') lines = ['plan: an extension is planned when it starts (`framepack plan --extend VIDEO` shows it now)'];
    }
    if (!built.ok) lines.push(`fix: ${Object.entries(built.errors).map(([k, v]) => `${k} ${v}`).join('; ')}`);
    return lines;
  }
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
      : 'plan: sections and frames appear when the job starts (this daemon has no jobs.plan)',
  );
  if (measured && Number.isFinite(steps)) {
    const perSection = measured.secPerStep * steps * 1000;
    lines.push(`time: ${measured.secPerStep.toFixed(2)} s/step → ${formatDuration(perSection)}/section${sections ? ` · ≈${formatDuration(perSection * sections.sections)} in all` : ''}`);
  } else lines.push('time: estimated once a job has measured s/step');
  if (!built.ok) lines.push(`fix: ${Object.entries(built.errors).map(([k, v]) => `${k} ${v}`).join('; ')}`);
  return lines;
}

export function NewJobForm({ from, width, height, focused, listDir, origin }: { from: JobSpec | null; width: number; height: number; focused: boolean; listDir?: ListDir; origin?: { x: number; y: number } }) {
  const services = useServices();
  const layout = useLayout();
  // A copied job's parameters; else the draft left when the form was closed; else the
  // `defaults.*` settings read now (a `config set` since counts). Read from the store directly:
  // reloadUser() sets the ServicesProvider's state, which must not happen while this renders.
  const [opening] = useState(() => {
    if (!from && layout.draft) return { base: layout.draft.base as Partial<JobSpecInput>, state: layout.draft.state as FormState, dirty: layout.draft.dirty };
    const b = from ?? specFromDefaults(services.userStore.read().settings);
    return { base: b, state: initialForm(b, layout.formGroupsOpen), dirty: false };
  });
  // …and the shared copy of the settings catches up after the render (Settings view, player).
  useEffect(() => {
    if (!from) services.reloadUser();
  }, []);
  const base = opening.base;
  const [state, dispatch] = useReducer(formReducer, opening.state);
  // A loaded preset's TeaCache threshold (the form has no row for it) goes over the copied job's.
  const [presetHidden, setPresetHidden] = useState<Partial<JobSpecInput>>({});
  const hidden = { ...hiddenSpec(base), ...presetHidden };
  // Keep the draft in the layout (it outlives this component): dirty once anything differs from the start.
  const pristine = useState(() => JSON.stringify(initialForm(base).values))[0];
  const submitted = useRef(false);
  useEffect(() => {
    if (submitted.current) return;
    layoutDispatch({ type: 'saveDraft', draft: { state, base, dirty: opening.dirty || JSON.stringify(state.values) !== pristine } });
  }, [state]);
  // The open groups outlive this form for the session: the next form opens them again.
  useEffect(() => {
    layoutDispatch({ type: 'formGroups', open: state.expanded });
  }, [state.expanded]);
  const daemon = useDaemon();
  const actions = useDaemonActions();
  const layoutDispatch = useLayoutDispatch();
  const notify = (text: string, level: 'info' | 'warn' | 'error' = 'info') => layoutDispatch({ type: 'notify', notice: { text, level } });

  // Every refused submit goes to Logs in full (the status bar has room for a summary only).
  const logFailure = (message: string) => actions.dispatch({ type: 'localLog', line: { time: new Date().toISOString(), level: 'error', scope: 'form', message } });
  const submit = async () => {
    const built = buildSpec(state.values, hidden);
    if (!built.ok) {
      dispatch({ type: 'errors', errors: built.errors });
      logFailure(`cannot submit: ${errorList(built.errors)}`);
      notify(`cannot submit: ${Object.keys(built.errors).join(', ')} (see the fields; Logs has the details)`, 'error');
      return;
    }
    try {
      const { jobId, position } = await actions.call('jobs.submit', built.spec);
      layoutDispatch({ type: 'notify', notice: { text: `queued ${jobId} at position ${position + 1}`, level: 'info', jobId } });
      // Submitted: the next `n` starts from the defaults again.
      submitted.current = true;
      layoutDispatch({ type: 'discardDraft' });
      layoutDispatch({ type: 'openJob', jobId });
    } catch (err: unknown) {
      const msg = err instanceof RpcError ? `${err.code}: ${err.message}` : (err as Error).message;
      // The daemon's own checks (e.g. the model's limits) name the field: mark it as typing would.
      const fields = err instanceof RpcError ? fieldErrorsOf(err) : {};
      if (Object.keys(fields).length > 0) dispatch({ type: 'errors', errors: { ...state.errors, ...fields } });
      logFailure(`submit failed: ${msg}`);
      notify(`submit failed: ${msg}`, 'error');
    }
  };

  // Ctrl+L / Ctrl+K: the preset named in the Preset field (the store `framepack presets` edits).
  const presetName = (verb: string): string | null => {
    const name = state.values.preset.trim();
    if (name !== '' && !state.errors.preset) return name;
    dispatch({ type: 'focusField', id: 'preset' });
    let saved: string[] = [];
    try {
      saved = Object.keys(readPresets(services.env));
    } catch { /* the load below names a broken file */ }
    notify(`type a preset name in Preset, then ${verb}${saved.length ? ` (saved: ${saved.join(', ')})` : ''}`, 'warn');
    return null;
  };
  const loadPreset = () => {
    const name = presetName('Ctrl+L');
    if (!name) return;
    try {
      const applied = applyPreset(state.values, getPreset(name, services.env));
      dispatch({ type: 'replaceValues', values: applied.values });
      setPresetHidden((h) => ({ ...h, ...applied.hidden }));
      notify(`loaded preset ${name}`);
    } catch (err: unknown) {
      notify((err as Error).message, 'error');
    }
  };
  const saveFormAsPreset = () => {
    const name = presetName('Ctrl+K');
    if (!name) return;
    const made = presetFromForm(state.values, hidden);
    if (!made.ok) {
      dispatch({ type: 'errors', errors: made.errors });
      notify(`cannot save preset ${name}: ${errorList(made.errors)}`, 'error');
      return;
    }
    try {
      const { replaced } = savePreset(name, made.preset, services.env);
      notify(`${replaced ? 'replaced' : 'saved'} preset ${name}: ${presetSummary(made.preset)}`);
    } catch (err: unknown) {
      notify((err as Error).message, 'error');
    }
  };

  useKeypress(
    (e) => {
      const f = focusedField(state);
      const row = focusedRow(state);
      const c = e.chord;
      if (c === 'ctrl+s') void submit();
      else if (c === 'ctrl+l') loadPreset();
      else if (c === 'ctrl+k') saveFormAsPreset();
      else if (c === 'escape') layoutDispatch({ type: 'focus', part: Part.sideBar });
      else if (c === 'up' || c === 'shift+tab') dispatch({ type: 'focus', delta: -1 });
      else if (c === 'down') dispatch({ type: 'focus', delta: 1 });
      // A group's header: Enter/Space open or close it, → opens, ← closes.
      else if (row?.kind === 'group' && (c === 'enter' || c === ' ' || c === 'left' || c === 'right')) {
        dispatch({ type: 'toggleGroup', group: row.group, ...(c === 'left' ? { open: false } : c === 'right' ? { open: true } : {}) });
      } else if (c === 'tab') {
        if (f?.kind === 'path') {
          const done = completePath(state.values.image, listDir);
          dispatch({ type: 'completions', value: done.value, candidates: done.candidates });
        } else dispatch({ type: 'focus', delta: 1 });
      } else if (c === 'enter') {
        if (row?.kind === 'submit') void submit();
        else dispatch({ type: 'focus', delta: 1 });
      } else if (c === 'ctrl+r') dispatch({ type: 'randomSeed', seed: randomSeed() });
      else if (c === 'ctrl+u') dispatch({ type: 'clearField' });
      else if ((c === 'left' || c === 'right') && (f?.kind === 'choice' || f?.kind === 'toggle')) dispatch({ type: 'cycle', delta: c === 'left' ? -1 : 1 });
      else if (c === ' ' && f?.kind === 'toggle') dispatch({ type: 'cycle', delta: 1 });
      else if (c === 'backspace' || c === 'delete') dispatch({ type: 'backspace' });
      else if (!e.key.ctrl && !e.key.meta && e.input && !e.key.escape) {
        if (row?.kind !== 'field') return false; // letters on the button or a header fall through to global keys
        // Text and Enter can arrive in one chunk (a paste, a fast terminal, tmux send-keys): each
        // line break moves to the next field, as Enter does, and the text after it goes there.
        e.input.split(/\r\n|\r|\n/).forEach((text, i) => {
          if (i > 0) dispatch({ type: 'focus', delta: 1 });
          if (text) dispatch({ type: 'input', text });
        });
      } else return false; // Ctrl+P, F1, Ctrl+C … reach the global handler
      return true;
    },
    { priority: KeyPriority.form, isActive: focused },
  );

  const planned = usePlan(state.values, daemon.connection === 'ready' && (daemon.hello?.features.includes(PLAN_FEATURE) ?? false), daemon.data.jobs);
  const plan = planLines(state.values, daemon.data.jobs, planned, width);
  // The focused field's problem in full (the hint beside a field may be cut), else the first one.
  const focusedId = focusedField(state)?.id;
  const shownError = (focusedId && state.errors[focusedId] ? [focusedId, state.errors[focusedId]] as const : null)
    ?? (Object.entries(state.errors).find(([, v]) => v) as [string, string] | undefined) ?? null;
  const errorLine = shownError ? `✖ ${FIELDS.find((f) => f.id === shownError[0])?.label ?? 'form'}: ${shownError[1]}` : null;
  const header = formHeader(width, from !== null);
  const extra = (state.completions.length > 0 ? 1 : 0) + (errorLine ? 1 : 0) + header.length - 1;
  const fieldRows = Math.max(3, height - 1 - plan.length - extra);
  const rows = formRows(state.expanded);
  const [start, end] = windowRange(rows.length, state.focus, fieldRows);
  const valueCols = Math.max(8, width - LABEL_COLS - 1);
  useFormMouse(state, dispatch, origin ? { ...origin, width, height, headerRows: header.length, start, end, labelCols: LABEL_COLS } : null, () => void submit());
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      {header.map((h, i) => <Text key={`h${i}`} bold={i === 0} color={i === 0 ? undefined : colors.text.muted}>{h}</Text>)}
      {Array.from({ length: end - start }, (_, k) => start + k).map((i) => {
        const isFocus = i === state.focus && focused;
        const row = rows[i]!;
        if (row.kind === 'group') {
          const hiddenError = !state.expanded.includes(row.group) && groupSummary(row.group, state).errors > 0;
          return (
            <Text key={`group-${row.group}`} inverse={isFocus} bold={isFocus} color={hiddenError ? colors.status.error : isFocus ? colors.border.focused : colors.text.muted}>
              {truncate(groupHeaderText(row.group, state), width)}
            </Text>
          );
        }
        if (row.kind === 'submit') {
          return (
            <Text key="submit" inverse={isFocus} bold color={colors.status.ok}>
              {pad('[ Submit job ]', Math.min(width, 16))}
            </Text>
          );
        }
        const f = row.field;
        const raw = state.values[f.id];
        const shown = f.kind === 'choice' ? `‹ ${raw} ›` : f.kind === 'toggle' ? `[${raw === 'on' ? 'x' : raw === 'mag' ? 'm' : ' '}] ${raw}` : raw;
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
      {errorLine ? <Text color={colors.status.error}>{truncate(errorLine, width)}</Text> : null}
      {state.completions.length > 0 ? <Text color={colors.text.muted}>{truncate(`matches: ${state.completions.join('  ')}`, width)}</Text> : null}
      {plan.map((l, i) => (
        <Text key={`plan-${i}`} color={l.startsWith('fix:') ? colors.status.warn : colors.status.info}>
          {truncate(l, width)}
        </Text>
      ))}
    </Box>
  );
}

/**
 * The key line over the form: every form key in at most two rows where the editor is wide enough
 * (120 columns and up), else the essential ones in one row (80×24 has no row to spare).
 */
export function formHeader(width: number, copied: boolean): string[] {
  const title = `NEW JOB${copied ? ' (copied parameters)' : ''}`;
  const full = `${title} · ${FORM_KEYS_SHORT}`;
  const rows = wrapRows(full, width, 2);
  if (width >= 70 && !rows.at(-1)!.endsWith('…')) return rows;
  return [truncate(`${title} · ↑↓ move · Enter next · Ctrl+S submit · Esc leave · ? keys`, width)];
}

function errorList(errors: Partial<Record<string, string>>): string {
  return Object.entries(errors).filter(([, v]) => v).map(([k, v]) => `${FIELDS.find((f) => f.id === k)?.label ?? k}: ${v}`).join('; ');
}

/** Field names the daemon's errors use (flag names from the engine's checks) → form fields. */
const SERVER_FIELD: Readonly<Record<string, string>> = { negative: 'negativePrompt', 'end-image': 'endImage', 'end-strength': 'endStrength', keyframe: 'keyframes', 'prompt-blend': 'promptBlend' };

/** Field errors from an INVALID_PARAMS answer (detail.issues[].path[0], a spec field or a generate flag name). */
function fieldErrorsOf(err: RpcError): Partial<Record<FieldId, string>> {
  const issues = (err.detail as { issues?: { path?: unknown[]; message?: string }[] } | undefined)?.issues ?? [];
  const out: Partial<Record<FieldId, string>> = {};
  for (const issue of issues) {
    const key = String(issue.path?.[0] ?? '');
    const id = (SERVER_FIELD[key] ?? key) as FieldId;
    if (FIELDS.some((f) => f.id === id) && issue.message) out[id] = issue.message;
  }
  return out;
}

/** jobs.plan for the form's plan fields, debounced; null when the daemon does not serve it. */
function usePlan(values: FormValues, supported: boolean, jobs: JobsState): PlanState | null {
  const actions = useDaemonActions();
  const [plan, setPlan] = useState<PlanState>({ state: 'none' });
  const params = supported ? planParams(values) : null;
  const key = params ? JSON.stringify(params) : '';
  // A newly measured s/step changes the estimate: ask again when it does.
  const measured = measuredSecPerStep(jobs)?.secPerStep ?? null;
  // …and so does a job finishing (its timing gives the whole-job estimate).
  const finished = Object.values(jobs.jobs).filter((v) => v.job.state === 'succeeded').length;
  useEffect(() => {
    if (!params) {
      setPlan({ state: 'none' });
      return;
    }
    let live = true;
    // Keep the previous plan on screen while the next one is on its way (no flicker while typing).
    setPlan((prev) => (prev.state === 'ok' ? prev : { state: 'loading', key }));
    const timer = setTimeout(() => {
      actions.call('jobs.plan', params).then(
        (result) => live && setPlan({ state: 'ok', key, plan: result }),
        (err: unknown) => live && setPlan({ state: 'error', key, message: err instanceof RpcError ? err.message : (err as Error).message }),
      );
    }, PLAN_DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // params is derived from key, so key stands for it here.
  }, [key, measured, finished, actions]);
  return supported ? plan : null;
}
