// Width helpers for fixed-size parts: cut text to a column budget with an ellipsis, pad to a width.

/** Cut to at most `width` columns, ending in "…" when cut. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...text];
  if (chars.length <= width) return text;
  return width === 1 ? '…' : `${chars.slice(0, width - 1).join('')}…`;
}

/** Keep the end of a path-like string: "…/outputs/job-1.mp4". */
export function truncateStart(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  return width <= 1 ? '…' : `…${chars.slice(chars.length - width + 1).join('')}`;
}

export function pad(text: string, width: number): string {
  const t = truncate(text, width);
  return t + ' '.repeat(Math.max(0, width - [...t].length));
}

/** A text gauge: "█████░░░░░" of `width` cells for a 0..1 fraction. */
export function gauge(fraction: number, width: number): string {
  const f = Math.min(Math.max(Number.isFinite(fraction) ? fraction : 0, 0), 1);
  const full = Math.round(f * width);
  return '█'.repeat(full) + '░'.repeat(Math.max(0, width - full));
}

/** Rows [start, start+height) of a list that keep `selected` visible. */
export function windowRange(count: number, selected: number, height: number): [number, number] {
  if (count <= height) return [0, count];
  const start = Math.min(Math.max(0, selected - Math.floor(height / 2)), count - height);
  return [start, start + height];
}

/** Cut `text` into rows of `width` columns (at spaces when it can), the last one ending in "…" when cut. */
export function wrapRows(text: string, width: number, maxRows: number): string[] {
  const rows: string[] = [];
  let rest = text;
  while (rest.length > 0 && rows.length < maxRows) {
    if ([...rest].length <= width) {
      rows.push(rest);
      rest = '';
      break;
    }
    const chars = [...rest];
    const slice = chars.slice(0, width).join('');
    const space = slice.lastIndexOf(' ');
    const cut = space > width / 2 ? space : slice.length;
    rows.push(rest.slice(0, cut));
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0) rows[rows.length - 1] = truncate(`${rows[rows.length - 1]!} ${rest}`, width);
  return rows;
}
