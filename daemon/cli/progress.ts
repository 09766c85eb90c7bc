// Human progress for `framepack generate` and `jobs show --follow`. On a terminal: one status line
// on stderr that updates in place (section k/N, stage, step, s/step, ETA), with a printed line per
// section and per stage outside sections. Piped (logs, CI): one line per section and per stage,
// never per step, with readable stage names. NO_COLOR (or TERM=dumb) keeps every ANSI code out:
// the status line is then redrawn with a carriage return and spaces only.
import { STAGE_LABELS, type Stage } from '../../shared/domain/progress.js';
import { PIPELINE_STAGE, type PipelineEvent, type PipelineStage } from '../engine/pipeline/events.js';

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

/** A stage as people read it; takes the pipeline's names (local runs) and the protocol's (daemon runs). */
export function stageLabel(stage: string): string {
  // Local runs read the image in a stage of its own; the protocol counts it under image-encode.
  if (stage === 'preparing-image') return 'reading the image';
  if (Object.hasOwn(STAGE_LABELS, stage)) return STAGE_LABELS[stage as Stage];
  if (Object.hasOwn(PIPELINE_STAGE, stage)) return STAGE_LABELS[PIPELINE_STAGE[stage as PipelineStage]];
  return stage;
}

const etaText = (etaSeconds: number | undefined) => (etaSeconds === undefined ? '' : `  ETA ${formatDuration(etaSeconds)}`);

/** Which section is running, for stage lines (stage events do not name it). */
export interface LineContext { section: { index: number; total: number } | null }

export const newLineContext = (): LineContext => ({ section: null });

/**
 * One event as a line, or null for events that have none (previews). `ctx` follows the sections;
 * pass the same one for every event of a job. Step lines are for the terminal's status line only.
 */
export function eventLine(e: PipelineEvent, ctx: LineContext = newLineContext()): string | null {
  switch (e.type) {
    case 'stage': {
      const where = ctx.section ? `section ${ctx.section.index}/${ctx.section.total} · ` : '';
      // The detail repeats the stage's name when the daemon has none to give.
      const label = stageLabel(e.stage);
      const detail = e.message && e.message !== e.stage && e.message !== label ? ` (${e.message})` : '';
      return `${where}${label}${detail}${etaText(e.etaSeconds)}`;
    }
    case 'job.planned': return `bucket ${e.bucket.width}×${e.bucket.height}, ${e.sections} section(s) × ${e.steps} steps → ${e.totalFrames} frames (${e.seconds.toFixed(2)} s at ${e.fps} fps)`;
    case 'section.started':
      ctx.section = { index: e.section, total: e.sections };
      return `section ${e.section}/${e.sections} (video position ${e.displayIndex + 1}/${e.sections}${e.latentPadding !== undefined ? `, padding ${e.latentPadding}` : ''})`; // the daemon's events carry no padding
    case 'step': return `section ${e.section}/${e.sections} · ${stageLabel('sample')} step ${e.step}/${e.steps}  ${e.secondsPerStep.toFixed(3)} s/step${etaText(e.etaSeconds)}${e.teacacheSkipped ? '  (cached)' : ''}`;
    case 'preview': return null;
    case 'frame': return null;
    case 'section.done':
      ctx.section = null;
      return `section ${e.section}/${e.sections} done: ${e.frames} frames (${e.seconds.toFixed(2)} s)${e.partialVideo ? ` → ${e.partialVideo}` : ''}${etaText(e.etaSeconds)}`;
    case 'job.succeeded': return `done in ${e.wallSeconds.toFixed(1)} s: ${e.frames} frames (${e.seconds.toFixed(2)} s) → ${e.output}`;
    case 'job.failed': return null; // the command prints the error line itself
  }
}

export interface ProgressWriter { write(e: PipelineEvent): void; finish(): void }

/** Whether ANSI codes may be written: not with NO_COLOR set (any non-empty value) or TERM=dumb. */
export function ansiAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  return !env.NO_COLOR && env.TERM !== 'dumb';
}

/**
 * A terminal renderer: steps, and the stages inside a section, rewrite one status line; sections
 * and the stages around them are printed above it.
 */
export function ttyProgress(out: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): ProgressWriter {
  const ansi = ansiAllowed(env);
  const ctx = newLineContext();
  let status = '';
  const clear = () => {
    if (!status) return;
    out.write(ansi ? '\r\x1b[2K' : `\r${' '.repeat(status.length)}\r`);
  };
  return {
    write(e) {
      const inSection = ctx.section !== null;
      const line = eventLine(e, ctx);
      if (line === null) return;
      if (e.type === 'step' || (e.type === 'stage' && inSection)) {
        clear();
        status = line.slice(0, Math.max(20, (out.columns || 100) - 1));
        out.write(status);
        return;
      }
      clear();
      out.write(`${line}\n`);
      if (status && e.type !== 'section.done' && e.type !== 'job.succeeded') out.write(status);
      else status = '';
    },
    finish() { clear(); status = ''; },
  };
}

/** Piped output: a line per section and per stage, none per step. */
export function plainProgress(out: NodeJS.WritableStream): ProgressWriter {
  const ctx = newLineContext();
  return {
    write(e) {
      if (e.type === 'step') return;
      const line = eventLine(e, ctx);
      if (line !== null) out.write(`${line}\n`);
    },
    finish() {},
  };
}

/** One NDJSON line per event; previews and decoded frames carry their size but not their pixels. */
export function eventJson(e: PipelineEvent): string {
  if (e.type === 'preview' || e.type === 'frame') {
    const { rgb: _rgb, ...rest } = e;
    return JSON.stringify(rest);
  }
  return JSON.stringify(e);
}
