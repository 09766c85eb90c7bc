// The BPE model of HF tokenizers: a pre-token is split into characters (with the optional
// continuing-subword prefix and end-of-word suffix), then the adjacent pair with the lowest merge
// rank (leftmost on ties) is merged until no listed merge applies. With ignore_merges (Llama 3),
// a pre-token that is itself a vocabulary entry is emitted whole, as tiktoken does.
import type { BpeModelConfig } from './tokenizer-json.js';

export class BpeConfigError extends Error {
  constructor(message: string) {
    super(`BPE model: ${message}`);
    this.name = 'BpeConfigError';
  }
}

// Pair keys pack two ids into one number; ids stay far below 2^26 in any real vocabulary.
const PAIR_ID_LIMIT = 1 << 26;
const pairKey = (a: number, b: number) => a * PAIR_ID_LIMIT + b;

interface MergeEntry { rank: number; newId: number }

export class BpeModel {
  readonly vocab: ReadonlyMap<string, number>;
  private readonly idToToken = new Map<number, string>();
  private readonly merges = new Map<number, MergeEntry>();
  private readonly unkId: number | null;
  private readonly prefix: string | null;
  private readonly suffix: string | null;

  constructor(private readonly config: BpeModelConfig) {
    const vocab = new Map<string, number>();
    for (const [token, id] of Object.entries(config.vocab)) {
      if (id >= PAIR_ID_LIMIT) throw new BpeConfigError(`token id ${id} is too large`);
      vocab.set(token, id);
      this.idToToken.set(id, token);
    }
    this.vocab = vocab;
    this.prefix = config.continuing_subword_prefix;
    this.suffix = config.end_of_word_suffix;
    const prefixLength = this.prefix?.length ?? 0;
    const lookup = (token: string, merge: string) => {
      const id = vocab.get(token);
      if (id === undefined) throw new BpeConfigError(`merge ${JSON.stringify(merge)} refers to ${JSON.stringify(token)}, which is not in the vocabulary`);
      return id;
    };
    config.merges.forEach((merge, rank) => {
      const parts = typeof merge === 'string' ? merge.split(' ') : merge;
      const [a, b] = parts;
      if (parts.length !== 2 || a === undefined || b === undefined) throw new BpeConfigError(`merge ${rank} ${JSON.stringify(merge)} is not a pair`);
      const label = `${a} ${b}`;
      // Later duplicates win, as when HF collects the merges into a map.
      this.merges.set(pairKey(lookup(a, label), lookup(b, label)), { rank, newId: lookup(a + b.slice(prefixLength), label) });
    });
    if (config.unk_token !== null && !vocab.has(config.unk_token)) {
      throw new BpeConfigError(`unk_token ${JSON.stringify(config.unk_token)} is not in the vocabulary`);
    }
    this.unkId = config.unk_token === null ? null : vocab.get(config.unk_token)!;
  }

  tokenToId(token: string): number | undefined {
    return this.vocab.get(token);
  }

  idToTokenString(id: number): string | undefined {
    return this.idToToken.get(id);
  }

  /** Encodes one pre-token into ids. Characters missing from the vocabulary become unk (or are dropped without one). */
  tokenize(word: string): number[] {
    if (word.length === 0) return [];
    if (this.config.ignore_merges) {
      const whole = this.vocab.get(word);
      if (whole !== undefined) return [whole];
    }
    return this.mergeWord(this.initialSymbols(word));
  }

  private initialSymbols(word: string): number[] {
    const chars = [...word];
    const symbols: number[] = [];
    let pendingUnk = false;
    const flushUnk = () => {
      if (pendingUnk && this.unkId !== null) symbols.push(this.unkId);
      pendingUnk = false;
    };
    chars.forEach((c, i) => {
      let s = c;
      if (i > 0 && this.prefix !== null) s = this.prefix + s;
      if (i === chars.length - 1 && this.suffix !== null) s = s + this.suffix;
      const id = this.vocab.get(s);
      if (id !== undefined) {
        flushUnk();
        symbols.push(id);
        return;
      }
      if (this.config.byte_fallback) {
        const bytes = [...new TextEncoder().encode(s)].map((b) => this.vocab.get(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`));
        if (bytes.every((b) => b !== undefined)) {
          flushUnk();
          symbols.push(...(bytes as number[]));
          return;
        }
      }
      if (this.unkId === null) return;
      // fuse_unk collapses a run of unknown characters into one unk.
      if (!this.config.fuse_unk) flushUnk();
      pendingUnk = true;
    });
    flushUnk();
    return symbols;
  }

  private mergeWord(symbols: number[]): number[] {
    const s = symbols.slice();
    for (;;) {
      let bestRank = Infinity;
      let bestPos = -1;
      let bestId = -1;
      for (let i = 0; i + 1 < s.length; i++) {
        const m = this.merges.get(pairKey(s[i]!, s[i + 1]!));
        if (m !== undefined && m.rank < bestRank) {
          bestRank = m.rank;
          bestPos = i;
          bestId = m.newId;
        }
      }
      if (bestPos < 0) return s;
      s.splice(bestPos, 2, bestId);
    }
  }
}
