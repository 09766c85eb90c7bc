import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { trainBpe } from './bpe-trainer.js';
import { shapePrompts } from './corpus.js';
import { TINY_VOCAB_SIZE } from './build-files.js';
import { tinyTokenizerFiles, TINY_TOKENIZERS_DIR } from '../train-tiny-tokenizer.js';
import { Tokenizer } from '../../daemon/models/tokenizer/tokenizer.js';

describe('trainBpe', () => {
  it('merges the most frequent pair first, ties by text, counting word frequencies', () => {
    const counts = new Map([['low', 5], ['lower', 2], ['newest', 6], ['widest', 3]]);
    const suffixed = (w: string) => { const c = [...w]; c[c.length - 1] += '</w>'; return c; };
    const { merges, newTokens } = trainBpe(counts, suffixed, { maxNewTokens: 3, minPairCount: 2 });
    // "e s" and "s t</w>" both occur 9 times; "e s" sorts first. Then "es t</w>" (9), then "l o" (7).
    expect(merges).toEqual([['e', 's'], ['es', 't</w>'], ['l', 'o']]);
    expect(newTokens).toEqual(['es', 'est</w>', 'lo']);
  });

  it('stops when no pair is frequent enough', () => {
    const { merges } = trainBpe(new Map([['ab', 1]]), (w) => [...w], { maxNewTokens: 10, minPairCount: 2 });
    expect(merges).toEqual([]);
  });
});

describe('committed tiny tokenizers', () => {
  const files = tinyTokenizerFiles();

  it('are exactly what scripts/train-tiny-tokenizer.ts writes', async () => {
    expect(await readFile(path.join(TINY_TOKENIZERS_DIR, 'llama', 'tokenizer.json'), 'utf8')).toBe(files.llama);
    expect(await readFile(path.join(TINY_TOKENIZERS_DIR, 'clip', 'tokenizer.json'), 'utf8')).toBe(files.clip);
  });

  it.each(['llama', 'clip'] as const)('%s uses every id below 512 at most once', (name) => {
    const tok = Tokenizer.fromJson(JSON.parse(files[name]), name);
    const vocabIds = Object.values(tok.json.model.vocab);
    const addedOnly = tok.json.added_tokens.filter((t) => tok.json.model.vocab[t.content] !== t.id).map((t) => t.id);
    const ids = [...vocabIds, ...addedOnly];
    expect(new Set(ids).size).toBe(ids.length);
    expect(Math.max(...ids)).toBe(TINY_VOCAB_SIZE - 1);
    expect(tok.vocabSize).toBe(TINY_VOCAB_SIZE);
  });

  it('encode the training prompts mostly as whole words', () => {
    const clip = Tokenizer.fromJson(JSON.parse(files.clip));
    const prompts = shapePrompts(200, 99);
    const words = prompts.reduce((n, p) => n + p.split(' ').length, 0);
    const tokens = prompts.reduce((n, p) => n + clip.encode(p, { addSpecialTokens: false }).length, 0);
    expect(tokens / words).toBeLessThan(1.2);
    const unk = clip.requireTokenId('<|unk|>');
    expect(prompts.every((p) => !clip.encode(p).includes(unk))).toBe(true);
  });
});
