// The section timeline as text (pure): sections in display (video time) order with their state,
// and the order they are generated in. Inverted mode generates the last section first, which is
// why early sections appear last: the timeline shows it instead of leaving users guessing
// (PEERS.md §B #13, #27).
import type { JobView } from '../daemon/jobs-store.js';

export type SectionState = 'done' | 'running' | 'pending';

export const SECTION_GLYPH: Record<SectionState, string> = { done: '■', running: '▶', pending: '□' };

export interface Timeline {
  total: number;
  /** State of each section in display order. */
  display: SectionState[];
  /** Display index (0-based) of each section in generation order. */
  generation: number[];
  /** Generation index currently running, else null. */
  running: number | null;
}

export function timelineOf(v: JobView): Timeline | null {
  const section = v.job.progress?.section;
  if (!section) return null;
  const total = section.total;
  const done = new Set(v.doneSections);
  const running = v.job.state === 'running' && !done.has(section.index) ? section.index : null;
  const generation = Array.from({ length: total }, (_, i) => v.displayOf[i] ?? i);
  const display: SectionState[] = Array.from({ length: total }, () => 'pending');
  generation.forEach((d, g) => {
    if (d >= 0 && d < total) display[d] = done.has(g) ? 'done' : g === running ? 'running' : 'pending';
  });
  return { total, display, generation, running };
}

/** "■■▶□□": one glyph per section, video time left to right. */
export function displayLine(t: Timeline): string {
  return t.display.map((s) => SECTION_GLYPH[s]).join('');
}

/** "5■ 4■ 3▶ 2□ 1□": each generated section's place in the video (1-based), in generation order. */
export function generationLine(t: Timeline): string {
  return t.generation
    .map((d) => `${d + 1}${SECTION_GLYPH[t.display[d] ?? 'pending']}`)
    .join(' ');
}
