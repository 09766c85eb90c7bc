// A small, deterministic BPE trainer: counts pre-tokens, then repeatedly merges the most
// frequent adjacent pair (ties broken by the pair's text, so runs are reproducible) until the
// token budget is spent or no pair occurs at least `minPairCount` times.

export interface BpeTrainOptions {
  /** Stop once merges have produced this many distinct new tokens (a vocabulary budget). */
  maxNewTokens: number;
  /** A pair must occur at least this often (weighted by word counts) to be merged. */
  minPairCount: number;
}

interface Word { symbols: string[]; count: number }

const PAIR_SEP = '\u0000';

/**
 * Learns merges from `wordCounts` (pre-token → occurrences). `initialSymbols` splits a word into
 * its starting symbols, e.g. characters with "</w>" on the last one for CLIP.
 * Returns the merges in rank order and the new tokens in the order they first appeared (a merge
 * can rebuild a token an earlier merge made; it then adds no token).
 */
export function trainBpe(
  wordCounts: ReadonlyMap<string, number>,
  initialSymbols: (word: string) => string[],
  options: BpeTrainOptions,
): { merges: [string, string][]; newTokens: string[] } {
  const words: Word[] = [...wordCounts].map(([w, count]) => ({ symbols: initialSymbols(w), count }));
  const merges: [string, string][] = [];
  const newTokens: string[] = [];
  const seen = new Set(words.flatMap((w) => w.symbols));
  while (newTokens.length < options.maxNewTokens) {
    const pairCounts = new Map<string, number>();
    for (const { symbols, count } of words) {
      for (let i = 0; i + 1 < symbols.length; i++) {
        const key = symbols[i] + PAIR_SEP + symbols[i + 1];
        pairCounts.set(key, (pairCounts.get(key) ?? 0) + count);
      }
    }
    let best: string | null = null;
    let bestCount = 0;
    for (const [key, count] of pairCounts) {
      if (count > bestCount || (count === bestCount && best !== null && key < best)) {
        best = key;
        bestCount = count;
      }
    }
    if (best === null || bestCount < options.minPairCount) break;
    const [a, b] = best.split(PAIR_SEP) as [string, string];
    merges.push([a, b]);
    if (!seen.has(a + b)) {
      seen.add(a + b);
      newTokens.push(a + b);
    }
    for (const word of words) word.symbols = mergePair(word.symbols, a, b);
  }
  return { merges, newTokens };
}

/** Replaces each non-overlapping occurrence of (a, b), left to right, by a + b. */
function mergePair(symbols: string[], a: string, b: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < symbols.length; i++) {
    if (symbols[i] === a && symbols[i + 1] === b) {
      out.push(a + b);
      i++;
    } else out.push(symbols[i]!);
  }
  return out;
}
