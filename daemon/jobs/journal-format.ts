// The journal's record framing (issue 15 item 1). Each record is one line
//   ~<crc32 of the JSON, 8 hex digits> <JSON>\n
// so a record is whole exactly when its line ends in a newline and its checksum matches: a write
// cut short by ENOSPC or kill -9 can never be mistaken for a record, and a mid-file block of
// garbage (zeros after a power loss, a hand edit) is skipped without taking the records after it.
// Lines of the previous format (a bare JSON object, no checksum) are still read, so journals
// written before this change replay unchanged; the first compaction rewrites them framed.
// Pure: no I/O.
import { crc32 } from 'node:zlib';

export const RECORD_MARK = '~';
const FRAMED_RE = /~([0-9a-f]{8}) /g;
const LEGACY_START = '{"t":';

/** One framed line, newline included. */
export function encodeRecord(record: unknown): string {
  const json = JSON.stringify(record);
  return `${RECORD_MARK}${checksum(json)} ${json}\n`;
}

function checksum(json: string): string {
  return crc32(json).toString(16).padStart(8, '0');
}

export interface DecodedJournal {
  /** Parsed records (objects), in file order. */
  records: Record<string, unknown>[];
  /** Lines (1-based) holding bytes that are not a whole record. */
  badLines: number[];
  /** Records found inside a bad line (a torn write the old format joined with the next record). */
  salvaged: number;
  /** True when the text does not end in a newline (the last write was cut short). */
  tornTail: boolean;
}

/** A framed record whose checksum matches, or a legacy bare JSON object; null otherwise. */
function parseWhole(text: string): Record<string, unknown> | null {
  let json = text;
  if (text.startsWith(RECORD_MARK)) {
    const m = /^~([0-9a-f]{8}) /.exec(text);
    if (!m) return null;
    json = text.slice(m[0].length);
    if (checksum(json) !== m[1]) return null;
  } else if (!text.startsWith('{')) {
    return null;
  }
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * A bad line may still end in a whole record: the old writer appended after a torn write without
 * a newline, joining the two. Try every later record start and keep the first suffix that parses.
 */
function salvage(line: string): Record<string, unknown> | null {
  const starts = new Set<number>();
  // The JSON inside a framed record is never read as a legacy record: that would accept a record
  // whose checksum just failed.
  const framedJson = new Set<number>();
  for (const m of line.matchAll(FRAMED_RE)) {
    framedJson.add(m.index + m[0].length);
    if (m.index > 0) starts.add(m.index);
  }
  for (let i = line.indexOf(LEGACY_START, 1); i > 0; i = line.indexOf(LEGACY_START, i + 1)) if (!framedJson.has(i)) starts.add(i);
  for (const start of [...starts].sort((a, b) => a - b)) {
    const record = parseWhole(line.slice(start));
    if (record) return record;
  }
  return null;
}

export function decodeJournal(text: string): DecodedJournal {
  const lines = text.split('\n');
  const tornTail = text.length > 0 && !text.endsWith('\n');
  const out: DecodedJournal = { records: [], badLines: [], salvaged: 0, tornTail };
  lines.forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    const whole = parseWhole(line);
    if (whole) {
      out.records.push(whole);
      return;
    }
    out.badLines.push(index + 1);
    const rescued = salvage(line);
    if (rescued) {
      out.records.push(rescued);
      out.salvaged++;
    }
  });
  return out;
}
