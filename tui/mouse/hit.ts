// Where a mouse event landed, relative to a part's box. Pure.
import type { MouseEvent } from './sgr-mouse.js';

export interface CellBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The event's cell relative to the box's top-left corner, or null outside it. */
export function inBox(e: Pick<MouseEvent, 'x' | 'y'>, box: CellBox): { col: number; row: number } | null {
  const col = e.x - box.x;
  const row = e.y - box.y;
  return col >= 0 && row >= 0 && col < box.width && row < box.height ? { col, row } : null;
}

/**
 * The list item shown at `row` of a list drawn as `headerRows` lines, then `rowsPerItem` lines per
 * item from item `start` on; null on the header or past the last item.
 */
export function listIndexAt(row: number, opts: { start: number; count: number; headerRows: number; rowsPerItem: number }): number | null {
  if (row < opts.headerRows) return null;
  const index = opts.start + Math.floor((row - opts.headerRows) / opts.rowsPerItem);
  return index < opts.count ? index : null;
}

/** How a side-bar list is drawn, as its view draws it (JobsView, OutputsView, ModelsView): header
 *  lines, lines per item, and how many items its window shows in `bodyRows`. Other views: null. */
export function sideListGeometry(view: string, bodyRows: number): { headerRows: number; rowsPerItem: number; windowItems: number } | null {
  if (view === 'jobs') return { headerRows: 1, rowsPerItem: 2, windowItems: Math.max(1, Math.floor((bodyRows - 1) / 2)) };
  if (view === 'outputs') return { headerRows: 0, rowsPerItem: 2, windowItems: Math.max(1, Math.floor(bodyRows / 2)) };
  if (view === 'models') return { headerRows: 1, rowsPerItem: 1, windowItems: Math.max(1, bodyRows - 1) };
  return null;
}

/** Lines one wheel notch scrolls a log. */
export const WHEEL_LINES = 3;
