// Human progress for `framepack generate`: on a TTY one line on stderr that updates in place
// (section k/N, step, s/step, ETA); otherwise plain lines, one per event, for logs and CI.
import type { PipelineEvent } from '../engine/pipeline/events.js';

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

/** One event as a plain line, or null for events that have none (previews). */
export function eventLine(e: PipelineEvent): string | null {
  switch (e.type) {
    case 'stage': return e.message;
    case 'job.planned': return `bucket ${e.bucket.width}×${e.bucket.height}, ${e.sections} section(s) × ${e.steps} steps → ${e.totalFrames} frames (${e.seconds.toFixed(2)} s at ${e.fps} fps)`;
    case 'section.started': return `section ${e.section}/${e.sections} (video position ${e.displayIndex + 1}/${e.sections}${e.latentPadding !== undefined ? `, padding ${e.latentPadding}` : ''})`; // the daemon's events carry no padding
    case 'step': return `section ${e.section}/${e.sections}  step ${e.step}/${e.steps}  ${e.secondsPerStep.toFixed(3)} s/step  ETA ${formatDuration(e.etaSeconds)}${e.teacacheSkipped ? '  (cached)' : ''}`;
    case 'preview': return null;
    case 'section.done': return `section ${e.section}/${e.sections} done: ${e.frames} frames (${e.seconds.toFixed(2)} s)${e.partialVideo ? ` → ${e.partialVideo}` : ''}`;
    case 'job.succeeded': return `done in ${e.wallSeconds.toFixed(1)} s: ${e.frames} frames (${e.seconds.toFixed(2)} s) → ${e.output}`;
    case 'job.failed': return null; // the command prints the error line itself
  }
}

export interface ProgressWriter { write(e: PipelineEvent): void; finish(): void }

/** A TTY renderer: step events rewrite one status line; everything else is printed above it. */
export function ttyProgress(out: NodeJS.WriteStream): ProgressWriter {
  let status = '';
  const clear = () => { if (status) out.write('\r\x1b[2K'); };
  return {
    write(e) {
      const line = eventLine(e);
      if (line === null) return;
      if (e.type === 'step') {
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

export function plainProgress(out: NodeJS.WritableStream): ProgressWriter {
  return {
    write(e) {
      const line = eventLine(e);
      if (line !== null) out.write(`${line}\n`);
    },
    finish() {},
  };
}

/** One NDJSON line per event; previews carry their size but not their pixels. */
export function eventJson(e: PipelineEvent): string {
  if (e.type === 'preview') {
    const { rgb: _rgb, ...rest } = e;
    return JSON.stringify(rest);
  }
  return JSON.stringify(e);
}
