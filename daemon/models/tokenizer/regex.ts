// Translates the Oniguruma patterns of tokenizer.json files (what HF tokenizers compiles them
// with) into JavaScript RegExps with the 'u' flag. The differences that change tokenization are
// handled explicitly: JS has no inline (?i:...) groups, JS `\s` lacks U+0085 and wrongly includes
// U+FEFF, JS `\d`/`\w` are ASCII-only, and Oniguruma's `^`/`$`/`.` are line-oriented.
// Anything this translator cannot reproduce faithfully is rejected with UnsupportedRegexError.

export class UnsupportedRegexError extends Error {
  constructor(readonly pattern: string, reason: string) {
    super(`tokenizer regex ${JSON.stringify(pattern)} is not supported: ${reason}`);
    this.name = 'UnsupportedRegexError';
  }
}

const WHITE_SPACE = '\\p{White_Space}';
const NOT_WHITE_SPACE = '\\P{White_Space}';
// Oniguruma's Unicode \w: letters, marks, decimal digits, connector punctuation.
const WORD_ITEMS = '\\p{L}\\p{M}\\p{Nd}\\p{Pc}';
// Characters that keep a backslash in a u-mode RegExp (SyntaxCharacter and '/').
const SYNTAX_CHARS = new Set('^$\\.*+?()[]{}|/'.split(''));
// Code points whose simple case folding joins an ASCII letter's class (long s, Kelvin, Ångström).
const EXTRA_FOLD_CANDIDATES = ['\u017f', '\u212a', '\u212b'];

/** Escapes text so that it matches literally inside a u-mode RegExp. */
export function escapeRegexLiteral(text: string): string {
  return text.replace(/[\^$\\.*+?()[\]{}|/-]/g, '\\$&');
}

/** Every single code point that equals `ch` under Unicode simple case folding. */
function caseVariants(ch: string): string[] {
  const probe = new RegExp(`^${escapeRegexLiteral(ch)}$`, 'iu');
  const candidates = [ch, ch.toLowerCase(), ch.toUpperCase(), ...EXTRA_FOLD_CANDIDATES];
  return [...new Set(candidates.filter((c) => [...c].length === 1 && probe.test(c)))];
}

interface Group { caseInsensitive: boolean }

/**
 * Compiles an Oniguruma pattern (as found in a tokenizer.json Split or Replace) into a global,
 * unicode JS RegExp that finds the same matches.
 */
export function compileTokenizerRegex(pattern: string): RegExp {
  const chars = [...pattern];
  const out: string[] = [];
  const groups: Group[] = [{ caseInsensitive: false }];
  let inClass = false;
  let classFirst = false;
  let i = 0;
  const fail = (reason: string): never => { throw new UnsupportedRegexError(pattern, reason); };
  const ci = () => groups[groups.length - 1]!.caseInsensitive;
  const peek = (k = 0) => chars[i + k] ?? '';
  const rest = () => chars.slice(i).join('');

  while (i < chars.length) {
    const c = chars[i]!;
    if (c === '\\') {
      const e = peek(1);
      i += 2;
      if (e === '') fail('trailing backslash');
      if (e === 'p' || e === 'P') {
        if (peek() !== '{') fail(`\\${e} without braces`);
        const close = chars.indexOf('}', i);
        if (close < 0) fail('unterminated \\p{');
        let name = chars.slice(i + 1, close).join('');
        let negated = e === 'P';
        if (name.startsWith('^')) { name = name.slice(1); negated = !negated; }
        out.push(`\\${negated ? 'P' : 'p'}{${name}}`);
        i = close + 1;
      } else if (e === 's') out.push(WHITE_SPACE);
      else if (e === 'S') out.push(NOT_WHITE_SPACE);
      else if (e === 'd') out.push('\\p{Nd}');
      else if (e === 'D') out.push('\\P{Nd}');
      else if (e === 'h') out.push(inClass ? '0-9a-fA-F' : '[0-9a-fA-F]');
      else if (e === 'w') out.push(inClass ? WORD_ITEMS : `[${WORD_ITEMS}]`);
      else if (e === 'W') {
        if (inClass) fail('\\W inside a character class');
        out.push(`[^${WORD_ITEMS}]`);
      } else if ('nrtfv'.includes(e)) out.push(`\\${e}`);
      else if (e === 'a') out.push('\\x07');
      else if (e === 'e') out.push('\\x1b');
      else if (e === 'x') {
        if (peek() === '{') {
          const close = chars.indexOf('}', i);
          if (close < 0) fail('unterminated \\x{');
          out.push(`\\u{${chars.slice(i + 1, close).join('')}}`);
          i = close + 1;
        } else {
          out.push(`\\x${chars.slice(i, i + 2).join('')}`);
          i += 2;
        }
      } else if (e === 'u') {
        out.push(`\\u${chars.slice(i, i + 4).join('')}`);
        i += 4;
      } else if (e === 'A' && !inClass) out.push('(?<![\\s\\S])');
      else if (e === 'z' && !inClass) out.push('(?![\\s\\S])');
      else if (e === 'Z' && !inClass) out.push('(?=\\n?(?![\\s\\S]))');
      else if (/[1-9]/.test(e) && !inClass) out.push(`\\${e}`);
      else if (e === '0') out.push('\\0');
      else if (/[A-Za-z0-9]/.test(e)) fail(`escape \\${e}`);
      else if (SYNTAX_CHARS.has(e) || (inClass && e === '-')) out.push(`\\${e}`);
      else out.push(e);
      classFirst = false;
      continue;
    }

    if (inClass) {
      if (c === ']' && !classFirst) {
        out.push(']');
        inClass = false;
      } else if (c === ']') out.push('\\]');
      else if (c === '[') fail('nested or POSIX character class');
      else if (c === '-' && ci() && !classFirst && peek(1) !== ']') fail('a range inside a case-insensitive group');
      else if (c === '^' && classFirst && out[out.length - 1] === '[') {
        out.push('^');
        i++;
        continue; // still at the class start: a following ']' is literal
      } else if (ci() && /\p{L}/u.test(c)) out.push(caseVariants(c).join(''));
      else if (c === '/') out.push('\\/');
      else out.push(c);
      classFirst = false;
      i++;
      continue;
    }

    if (c === '[') {
      out.push('[');
      inClass = true;
      classFirst = true;
      i++;
      continue;
    }
    if (c === '(') {
      const head = rest();
      if (head.startsWith('(?i:')) { groups.push({ caseInsensitive: true }); out.push('(?:'); i += 4; continue; }
      if (head.startsWith('(?-i:')) { groups.push({ caseInsensitive: false }); out.push('(?:'); i += 5; continue; }
      const m = /^\(\?(?::|=|!|<=|<!|<[A-Za-z_][A-Za-z0-9_]*>)/.exec(head);
      if (m) { groups.push({ caseInsensitive: ci() }); out.push(m[0]); i += [...m[0]].length; continue; }
      if (head.startsWith('(?')) fail(`group syntax ${head.slice(0, 4)}`);
      groups.push({ caseInsensitive: ci() });
      out.push('(');
      i++;
      continue;
    }
    if (c === ')') {
      if (groups.length === 1) fail('unbalanced )');
      groups.pop();
      out.push(')');
      i++;
      continue;
    }
    if (c === '{') {
      const q = /^\{\d+(?:,\d*)?\}/.exec(rest());
      if (q) { out.push(q[0]); i += q[0].length; continue; }
      out.push('\\{');
      i++;
      continue;
    }
    if (c === '}' || c === ']' || c === '/') { out.push(`\\${c}`); i++; continue; }
    if (c === '.') { out.push('[^\\n]'); i++; continue; }
    if (c === '^') { out.push('(?<![^\\n])'); i++; continue; }
    if (c === '$') { out.push('(?![^\\n])'); i++; continue; }
    if (ci() && /\p{L}/u.test(c)) {
      const variants = caseVariants(c);
      out.push(variants.length > 1 ? `[${variants.join('')}]` : c);
      i++;
      continue;
    }
    out.push(c);
    i++;
  }
  if (inClass) fail('unterminated character class');
  if (groups.length !== 1) fail('unbalanced (');
  try {
    return new RegExp(out.join(''), 'gu');
  } catch (err: unknown) {
    throw new UnsupportedRegexError(pattern, err instanceof Error ? err.message : String(err));
  }
}

/**
 * Splits `text` into alternating unmatched/matched pieces covering it entirely, like HF
 * tokenizers' Pattern::find_matches. Empty matches produce no piece.
 */
export function findMatches(regex: RegExp, text: string): { piece: string; isMatch: boolean }[] {
  const pieces: { piece: string; isMatch: boolean }[] = [];
  let prev = 0;
  for (const m of text.matchAll(regex)) {
    const start = m.index;
    const end = start + m[0].length;
    if (end === start) continue;
    if (start > prev) pieces.push({ piece: text.slice(prev, start), isMatch: false });
    pieces.push({ piece: m[0], isMatch: true });
    prev = end;
  }
  if (prev < text.length) pieces.push({ piece: text.slice(prev), isMatch: false });
  return pieces;
}
