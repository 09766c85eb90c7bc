// NO_COLOR (https://no-color.org) for the whole dashboard. Ink colours text through chalk, which
// does not read NO_COLOR, and the views pass colours by name; so with NO_COLOR set (or TERM=dumb)
// the colour parameters are taken out of every SGR sequence the dashboard writes, and the rest
// stays: bold, inverse (the selection), dim and underline are not colour, so the layout reads the
// same. The focused part's border, told apart by colour otherwise, is drawn heavy instead
// (semantic-colors.ts focusBorderStyle).

/** Whether the terminal may get colours: not with NO_COLOR set (any non-empty value) or TERM=dumb. */
export function colourAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  return !env.NO_COLOR && env.TERM !== 'dumb';
}

/** SGR parameters that set a colour: 30–39, 40–49, 90–97, 100–107 (38/48/58 take their arguments with them). */
function isColourParam(p: number): boolean {
  return (p >= 30 && p <= 39) || (p >= 40 && p <= 49) || (p >= 90 && p <= 97) || (p >= 100 && p <= 107) || p === 58 || p === 59;
}

/** One SGR parameter list without its colours; null when nothing but colours was in it. */
function stripParams(params: string): string | null {
  if (params === '') return params; // ESC[m is a reset
  const out: string[] = [];
  const parts = params.split(';');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    // ITU form: 38:2::r:g:b in one part.
    if (part.includes(':')) {
      if (!isColourParam(Number(part.split(':')[0]))) out.push(part);
      continue;
    }
    const p = Number(part);
    if (p === 38 || p === 48 || p === 58) {
      const kind = Number(parts[i + 1]);
      i += kind === 5 ? 2 : kind === 2 ? 4 : 1;
      continue;
    }
    if (!isColourParam(p)) out.push(part);
  }
  return out.length ? out.join(';') : null;
}

/** `text` with every colour taken out of its SGR sequences (ESC [ … m); other escapes untouched. */
export function stripColourSgr(text: string): string {
  if (!text.includes('\x1b[')) return text;
  return text.replace(/\x1b\[([0-9;:]*)m/g, (_all, params: string) => {
    const kept = stripParams(params);
    return kept === null ? '' : `\x1b[${kept}m`;
  });
}

/** Makes `stream.write` drop colours from whatever it writes (strings and UTF-8 buffers). */
export function installNoColour(stream: NodeJS.WriteStream): void {
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (typeof chunk === 'string') return write(stripColourSgr(chunk), ...rest);
    if (chunk instanceof Uint8Array) return write(stripColourSgr(Buffer.from(chunk).toString('utf8')), ...rest);
    return write(chunk, ...rest);
  }) as NodeJS.WriteStream['write'];
}
