// Added (mostly special) tokens such as <|begin_of_text|> or <|startoftext|>: they are cut out of
// the text before the model sees it, as HF's AddedVocabulary does. Tokens marked
// normalized:false are matched in the raw text; normalized:true ones in the normalized text.
// Matching is leftmost-longest, honouring single_word, lstrip and rstrip.
import type { AddedTokenConfig } from './tokenizer-json.js';
import type { Normalizer } from './normalizers.js';

/** A piece of input after added-token extraction: normalized text for the model, or a token id. */
export type Segment = { text: string } | { id: number };

interface Pattern { content: string; token: AddedTokenConfig }

// Rust regex's Unicode \w, tested on the whole code point next to a match (not a UTF-16 half).
const ENDS_WITH_WORD = /[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]$/u;
const STARTS_WITH_WORD = /^[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]/u;
const isSpace = (c: string | undefined) => c !== undefined && /\p{White_Space}/u.test(c);

class Matcher {
  // Candidates by first UTF-16 unit, longest first, so the first hit is the longest match.
  private readonly byFirst = new Map<string, Pattern[]>();

  constructor(patterns: Pattern[]) {
    for (const p of patterns) {
      const list = this.byFirst.get(p.content[0]!) ?? [];
      list.push(p);
      this.byFirst.set(p.content[0]!, list);
    }
    for (const list of this.byFirst.values()) list.sort((a, b) => b.content.length - a.content.length);
  }

  get empty(): boolean { return this.byFirst.size === 0; }

  split(text: string): ({ text: string } | { id: number })[] {
    const out: ({ text: string } | { id: number })[] = [];
    let emitted = 0;
    let pos = 0;
    while (pos < text.length) {
      const hit = this.byFirst.get(text[pos]!)?.find((p) => text.startsWith(p.content, pos));
      if (!hit) { pos++; continue; }
      let start = pos;
      let stop = pos + hit.content.length;
      const t = hit.token;
      if (t.single_word && (ENDS_WITH_WORD.test(text.slice(0, start)) || STARTS_WITH_WORD.test(text.slice(stop)))) {
        pos = stop; // the match is consumed, as in a non-overlapping Aho-Corasick scan
        continue;
      }
      if (t.lstrip) {
        while (start > emitted && isSpace(text[start - 1])) start--;
      }
      if (t.rstrip) {
        while (stop < text.length && isSpace(text[stop])) stop++;
      }
      if (start > emitted) out.push({ text: text.slice(emitted, start) });
      out.push({ id: t.id });
      emitted = stop;
      pos = stop;
    }
    if (emitted < text.length) out.push({ text: text.slice(emitted) });
    return out;
  }
}

export class AddedVocabulary {
  readonly tokens: readonly AddedTokenConfig[];
  private readonly raw: Matcher;
  private readonly normalized: Matcher;
  private readonly byId = new Map<number, AddedTokenConfig>();
  private readonly byContent = new Map<string, AddedTokenConfig>();

  constructor(tokens: readonly AddedTokenConfig[], private readonly normalizer: Normalizer | null) {
    this.tokens = tokens;
    for (const t of tokens) {
      this.byId.set(t.id, t);
      this.byContent.set(t.content, t);
    }
    this.raw = new Matcher(tokens.filter((t) => !t.normalized).map((token) => ({ content: token.content, token })));
    this.normalized = new Matcher(tokens.filter((t) => t.normalized).map((token) => ({
      content: normalizer ? normalizer(token.content) : token.content,
      token,
    })).filter((p) => p.content.length > 0));
  }

  byTokenId(id: number): AddedTokenConfig | undefined { return this.byId.get(id); }
  byTokenContent(content: string): AddedTokenConfig | undefined { return this.byContent.get(content); }

  /** Cuts added tokens out of `text` and normalizes the text in between. */
  extract(text: string): Segment[] {
    const out: Segment[] = [];
    for (const seg of this.raw.split(text)) {
      if ('id' in seg) { out.push(seg); continue; }
      const normalized = this.normalizer ? this.normalizer(seg.text) : seg.text;
      for (const inner of this.normalized.split(normalized)) {
        if ('id' in inner || inner.text.length > 0) out.push(inner);
      }
    }
    return out;
  }
}
