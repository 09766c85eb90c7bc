// Flag parsing for every subcommand: node:util parseArgs underneath, but its errors are rewritten
// into our own one-line messages (`jobs: unknown flag --jsno (did you mean --json?)`) instead of
// Node's parser text, and an unknown command or flag gets a "did you mean" from the known ones.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Optimal-string-alignment distance: edits, with a swap of two neighbours counted as one
 * (typos like `--imgae` and `jsno` are swaps).
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest candidate within a third of the word's length (at least 1, at most 3 edits), or null. */
export function suggest(word: string, candidates: readonly string[]): string | null {
  const bare = (s: string) => s.replace(/^-+/, '').toLowerCase();
  const w = bare(word);
  const limit = Math.min(3, Math.max(1, Math.floor(w.length / 3)));
  let best: { name: string; distance: number } | null = null;
  for (const c of candidates) {
    const distance = editDistance(w, bare(c));
    if (distance <= limit && (!best || distance < best.distance)) best = { name: c, distance };
  }
  return best?.name ?? null;
}

/** " (did you mean X?)" or "". */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const s = suggest(word, candidates);
  return s ? ` (did you mean ${s}?)` : '';
}

/** Whether the arguments ask for help (`-h`/`--help` anywhere before a `--`). */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '-h' || a === '--help') return true;
  }
  return false;
}

/** Every spelling of the flags in `options`: `--name` and `-x`. */
function flagNames(options: Options): string[] {
  return Object.entries(options).flatMap(([name, o]) => [`--${name}`, ...(o.short ? [`-${o.short}`] : [])]);
}

/**
 * `--seed -1` → `--seed=-1` for flags that take a value: parseArgs reads a value starting with a
 * dash as a forgotten argument and fails with "needs a value", hiding the real problem (the range
 * check then names it: `seed must be ≥ 0`). Only negative numbers are joined, so `--out -o` still
 * reports the missing value.
 */
const NEGATIVE_NUMBER = /^-(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const NEGATIVE_MARK = '\u0000';

function joinNegativeValues(argv: readonly string[], options: Options): string[] {
  const takesValue = new Set(Object.entries(options).flatMap(([name, o]) => (o.type === 'string' ? [`--${name}`, ...(o.short ? [`-${o.short}`] : [])] : [])));
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { out.push(...argv.slice(i)); break; }
    const next = argv[i + 1];
    if (takesValue.has(a) && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/**
 * parseArgs (strict) with our own errors. `command` prefixes each message (`jobs`, `models rm`).
 * `--help` is always accepted, so a command can show its help before checking anything else.
 */
export function parseFlags<O extends Options>(command: string, argv: readonly string[], options: O, allowPositionals = false) {
  const all = { help: { type: 'boolean', short: 'h' }, ...options } as O & { help: { type: 'boolean'; short: 'h' } };
  try {
    const args = joinNegativeValues(argv, all);
    if (!allowPositionals) return parseArgs({ args, options: all, allowPositionals, strict: true });
    // A negative number left over is an argument (`config set defaults.seed -1`), not a cluster of
    // short flags: parseArgs would call it "unknown flag -1". It travels marked and comes back as typed.
    const parsed = parseArgs({ args: args.map((a) => (NEGATIVE_NUMBER.test(a) ? `${NEGATIVE_MARK}${a}` : a)), options: all, allowPositionals, strict: true });
    return { ...parsed, positionals: parsed.positionals.map((p) => (p.startsWith(NEGATIVE_MARK) ? p.slice(NEGATIVE_MARK.length) : p)) };
  } catch (err: unknown) {
    const e = err as Error & { code?: string };
    const quoted = /'([^']+)'/.exec(e.message)?.[1] ?? '';
    switch (e.code) {
      case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
        const flag = quoted.split('=')[0]!;
        throw new UsageError(`${command}: unknown flag ${flag}${didYouMean(flag, flagNames(all))} (see framepack ${command} --help)`);
      }
      case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
        const flag = quoted.split(' ')[0]!;
        throw new UsageError(/does not take/.test(e.message) ? `${command}: ${flag} takes no value` : `${command}: ${flag} needs a value`);
      }
      case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
        throw new UsageError(`${command}: unexpected argument '${quoted}' (see framepack ${command} --help)`);
      default:
        throw new UsageError(`${command}: ${e.message.split('\n')[0]}`);
    }
  }
}
