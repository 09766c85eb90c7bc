// The `player` setting as a command line, shared by `framepack open` and the dashboard so both
// start the player the same way: split like a shell (quotes keep spaces), and the video's path
// either replaces a `{}` argument (`mpv {} --loop`, `vlc --play-and-exit {}`) or is appended.

/** Splits a command line on whitespace, honouring "double" and 'single' quotes (`""` is an empty argument). */
export function splitCommandLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let has = false;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = null;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      has = true;
    } else if (/\s/.test(ch)) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else cur += ch;
  }
  if (has || cur) out.push(cur);
  return out;
}

/** The arguments after the command for one file: every `{}` argument becomes the path, else the path is appended. */
export function playerArgsFor(args: readonly string[], file: string): string[] {
  return args.includes('{}') ? args.map((a) => (a === '{}' ? file : a)) : [...args, file];
}
