// Checks that the relative links of README.md and docs/*.md resolve: the file exists and a
// `#anchor` names a heading of it (GitHub's slugs) or an explicit id. Pure functions over text, so
// the test (docs-links.test.ts) reads the files and this module only parses. External links
// (http:, https:, mailto:) are not checked: nothing here goes online.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface Link { target: string; line: number }

/** Markdown text without fenced code blocks and inline code spans (links there are examples). */
function proseLines(markdown: string): string[] {
  let fence: string | null = null;
  return markdown.split('\n').map((line) => {
    const m = /^\s*(```+|~~~+)/.exec(line);
    if (m) {
      if (fence === null) fence = m[1]!.slice(0, 3);
      else if (m[1]!.startsWith(fence)) fence = null;
      return '';
    }
    return fence === null ? line.replace(/`[^`]*`/g, '') : '';
  });
}

/** Inline links and images `[text](target)` and reference definitions `[id]: target`. */
export function extractLinks(markdown: string): Link[] {
  const links: Link[] = [];
  proseLines(markdown).forEach((line, i) => {
    for (const m of line.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ target: m[1]!, line: i + 1 });
    const ref = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(\s|$)/.exec(line);
    if (ref) links.push({ target: ref[1]!, line: i + 1 });
  });
  return links;
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2, … */
export function headingSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link in a heading keeps its text
    .replace(/<[^>]+>/g, '')
    .replace(/[`*]/g, '') // code and emphasis markers (underscores stay, as GitHub keeps them)
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{N}\p{M} _-]/gu, '').replace(/ /g, '-');
}

/** Every anchor a document defines: heading slugs (numbered when repeated) and explicit ids. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fence: string | null = null;
  for (const line of markdown.split('\n')) {
    const f = /^\s*(```+|~~~+)/.exec(line);
    if (f) {
      if (fence === null) fence = f[1]!.slice(0, 3);
      else if (f[1]!.startsWith(fence)) fence = null;
      continue;
    }
    if (fence !== null) continue;
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      const base = headingSlug(h[1]!);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const m of line.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(m[1]!);
  }
  return anchors;
}

/** What is wrong with each relative link of the file at `file` (empty when all resolve). */
export function brokenLinks(file: string, read: (p: string) => string = (p) => readFileSync(p, 'utf8')): string[] {
  const problems: string[] = [];
  const text = read(file);
  for (const { target, line } of extractLinks(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
    const [rawPath, anchor] = target.split('#', 2) as [string, string | undefined];
    const where = `${path.relative(process.cwd(), file)}:${line}: ${target}`;
    const resolved = rawPath === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(rawPath));
    if (rawPath !== '' && !existsSync(resolved)) {
      problems.push(`${where}: no such file`);
      continue;
    }
    if (anchor === undefined || anchor === '') continue;
    if (rawPath !== '' && (statSync(resolved).isDirectory() || !resolved.endsWith('.md'))) {
      if (!/^L\d+(-L\d+)?$/.test(anchor)) problems.push(`${where}: an anchor on a file that is not Markdown`);
      continue;
    }
    if (!anchorsOf(rawPath === '' ? text : read(resolved)).has(decodeURIComponent(anchor).toLowerCase())) problems.push(`${where}: no heading #${anchor}`);
  }
  return problems;
}
