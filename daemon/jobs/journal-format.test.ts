import { describe, expect, it } from 'vitest';
import { decodeJournal, encodeRecord } from './journal-format.js';

const a = { t: 'order', queued: ['a'] };
const b = { t: 'order', queued: ['b'] };

describe('journal framing', () => {
  it('round-trips records, one checksummed line each', () => {
    const text = encodeRecord(a) + encodeRecord(b);
    expect(text).toMatch(/^~[0-9a-f]{8} \{"t":"order"/);
    expect(decodeJournal(text)).toEqual({ records: [a, b], badLines: [], salvaged: 0, tornTail: false });
  });

  it('reads the previous format (bare JSON lines) unchanged', () => {
    expect(decodeJournal(`${JSON.stringify(a)}\n${encodeRecord(b)}`).records).toEqual([a, b]);
  });

  it('refuses a record whose checksum does not match, even when its JSON parses', () => {
    const flipped = encodeRecord(a).replace('"a"', '"x"');
    const r = decodeJournal(flipped + encodeRecord(b));
    expect(r.records).toEqual([b]);
    expect(r.badLines).toEqual([1]);
  });

  it('keeps every valid record after a bad one (null, garbage, a torn write joined to the next record)', () => {
    const torn = encodeRecord(a).slice(0, 20);
    const text = `null\n\u0000\u0000\u0007garbage\n${torn}${encodeRecord(b)}${torn}${JSON.stringify(a)}\n${encodeRecord(a)}${torn}`;
    const r = decodeJournal(text);
    expect(r.records).toEqual([b, a, a]);
    expect(r.badLines).toEqual([1, 2, 3, 4, 6]);
    expect(r.salvaged).toBe(2);
    expect(r.tornTail).toBe(true);
  });

  it('never reads the JSON of a framed record whose checksum failed as a legacy record', () => {
    const bad = encodeRecord(a).replace(/^~[0-9a-f]{8}/, '~00000000');
    expect(decodeJournal(bad).records).toEqual([]);
  });
});
