// GPT-2's reversible byte ↔ visible-character table, used by the ByteLevel pre-tokenizer (bytes →
// characters before BPE) and the ByteLevel decoder (characters → bytes → UTF-8 after BPE).
// Printable bytes keep their own code point; the other 68 map to U+0100 onwards, in byte order.

function buildByteToChar(): string[] {
  const visible: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) visible.push(b);
  for (let b = 0xa1; b <= 0xac; b++) visible.push(b);
  for (let b = 0xae; b <= 0xff; b++) visible.push(b);
  const table = new Array<string>(256);
  for (const b of visible) table[b] = String.fromCodePoint(b);
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    if (table[b] === undefined) table[b] = String.fromCodePoint(256 + shifted++);
  }
  return table;
}

/** BYTE_TO_CHAR[b] is the visible character that stands for byte b. */
export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();

const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));

/**
 * The 256 byte characters in the order GPT-2-family vocabularies (GPT-2, cl100k, Llama 3, CLIP)
 * give them their first ids: printable bytes first, then the remapped ones.
 */
export const BYTE_CHARS_IN_VOCAB_ORDER: readonly string[] = (() => {
  const printable = [...BYTE_TO_CHAR.keys()].filter((b) => BYTE_TO_CHAR[b]!.codePointAt(0) === b);
  const remapped = [...BYTE_TO_CHAR.keys()].filter((b) => BYTE_TO_CHAR[b]!.codePointAt(0) !== b);
  return [...printable, ...remapped].map((b) => BYTE_TO_CHAR[b]!);
})();

const utf8 = new TextEncoder();
const utf8Lossy = new TextDecoder('utf-8', { fatal: false });

/** UTF-8 bytes of `text`, each shown as its byte character. */
export function bytesToChars(text: string): string {
  let out = '';
  for (const b of utf8.encode(text)) out += BYTE_TO_CHAR[b]!;
  return out;
}

/**
 * Inverse of bytesToChars for a list of tokens. A token holding a character outside the table (an
 * added token such as "<|eot_id|> " with a plain space) contributes its own UTF-8 bytes, as
 * HF tokenizers does. Invalid UTF-8 decodes to U+FFFD.
 */
export function charsToText(tokens: readonly string[]): string {
  const bytes: number[] = [];
  for (const token of tokens) {
    const mapped: number[] = [];
    let ok = true;
    for (const c of token) {
      const b = CHAR_TO_BYTE.get(c);
      if (b === undefined) { ok = false; break; }
      mapped.push(b);
    }
    if (ok) bytes.push(...mapped);
    else bytes.push(...utf8.encode(token));
  }
  return utf8Lossy.decode(Uint8Array.from(bytes));
}
