import { describe, expect, it } from 'vitest';
import { NO_KEY, splitBurst } from './key-burst.js';

describe('splitBurst', () => {
  it('splits plain multi-character input into the keys it was typed as', () => {
    expect(splitBurst('jjK', NO_KEY)!.map((k) => [k.input, k.key.shift])).toEqual([['j', false], ['j', false], ['K', true]]);
    expect(splitBurst('a\r', NO_KEY)![1]!.key.return).toBe(true);
    expect(splitBurst('é✔', NO_KEY)!.map((k) => k.input)).toEqual(['é', '✔']);
  });
  it('leaves single keys and modified input alone', () => {
    expect(splitBurst('j', NO_KEY)).toBeNull();
    expect(splitBurst('', NO_KEY)).toBeNull();
    expect(splitBurst('ab', { ...NO_KEY, meta: true })).toBeNull();
  });
});
