// Every relative link and #anchor in README.md and docs/**/*.md resolves (a heading renamed or a
// section lost in a merge breaks the links to it; this keeps them true).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchorsOf, brokenLinks, extractLinks, headingSlug } from './docs-links.js';

const root = path.resolve(import.meta.dirname, '..');

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return markdownFiles(p);
    return e.name.endsWith('.md') ? [p] : [];
  });
}

describe('docs links', () => {
  it('slugs headings as GitHub does', () => {
    expect(headingSlug('`drift`: anti-drifting, measured (issue 7)')).toBe('drift-anti-drifting-measured-issue-7');
    expect(headingSlug('`fullsize`: official widths on this CPU (issue 13)')).toBe('fullsize-official-widths-on-this-cpu-issue-13');
    expect(headingSlug('Keys & the `?` overlay')).toBe('keys--the--overlay');
    expect([...anchorsOf('# A\n## A\n```\n# not a heading\n```\n<a id="x"></a>')]).toEqual(['a', 'a-1', 'x']);
  });

  it('finds links outside code only', () => {
    const md = 'see [a](a.md#b) and ![i](img.png)\n`[no](x.md)`\n```\n[no](y.md)\n```\n[ref]: docs/c.md';
    expect(extractLinks(md).map((l) => l.target)).toEqual(['a.md#b', 'img.png', 'docs/c.md']);
  });

  it('reports a missing file and a missing heading, here and in another file', () => {
    // The probe is not on disk: its text comes from `read`; the files it links to are real docs.
    const probe = path.join(root, 'docs', 'probe.md');
    const text = '# Probe\n[a](cli.md) [b](cli.md#no-such-heading) [c](no-such-file.md) [d](#probe) [e](#gone) [f](https://example.com/x#y)';
    const problems = brokenLinks(probe, (p) => (p === probe ? text : readFileSync(p, 'utf8')));
    expect(problems).toEqual([
      expect.stringContaining('cli.md#no-such-heading: no heading #no-such-heading'),
      expect.stringContaining('no-such-file.md: no such file'),
      expect.stringContaining('#gone: no heading #gone'),
    ]);
  });

  it('README.md and docs/**/*.md: every relative link and anchor resolves', () => {
    const files = [path.join(root, 'README.md'), ...markdownFiles(path.join(root, 'docs'))];
    expect(files.length).toBeGreaterThan(10);
    expect(files.flatMap((f) => brokenLinks(f))).toEqual([]);
  });
});

