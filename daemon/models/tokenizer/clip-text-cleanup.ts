// The text cleanup of transformers' slow CLIPTokenizer, which FramePack calls. Without ftfy (not
// in FramePack's requirements.txt) it runs BERT's BasicTokenizer(strip_accents=False,
// do_split_on_punc=False) first: control and format characters are dropped, every whitespace
// character becomes a space, and CJK ideographs are set apart by spaces. The fast tokenizer.json
// pipeline (NFC, whitespace collapse, lowercase) then gives the slow tokenizer's ids.

// BasicTokenizer._is_chinese_char ranges.
const CJK = /[\u{4E00}-\u{9FFF}\u{3400}-\u{4DBF}\u{20000}-\u{2A6DF}\u{2A700}-\u{2B73F}\u{2B740}-\u{2B81F}\u{2B820}-\u{2CEAF}\u{F900}-\u{FAFF}\u{2F800}-\u{2FA1F}]/u;
// _is_control: categories Cc and Cf, except tab, newline and carriage return (whitespace there).
const CONTROL = /[\p{Cc}\p{Cf}]/u;
// _is_whitespace: space, tab, newline, carriage return and category Zs.
const WHITESPACE = /[ \t\n\r\p{Zs}]/u;

export function clipSlowTextCleanup(text: string): string {
  let out = '';
  for (const c of text) {
    if (c === '\u0000' || c === '\ufffd') continue;
    if (WHITESPACE.test(c)) out += ' ';
    else if (CONTROL.test(c)) continue;
    else if (CJK.test(c)) out += ` ${c} `;
    else out += c;
  }
  return out;
}
