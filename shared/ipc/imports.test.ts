// The shared layer's import rules (STYLE.md §3.1, conv. 3): protocol/ and domain/ import only zod
// and each other; ipc/ adds Node built-ins; node-ipc is imported by exactly one file.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const shared = path.resolve(import.meta.dirname, '..');
const IMPORT_RE = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

function imports(dir: string): [string, string][] {
  return readdirSync(path.join(shared, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ts$/.test(f) && !/\.test\.ts$/.test(f) && !f.endsWith('.d.ts'))
    .flatMap((f) => [...readFileSync(path.join(shared, dir, f), 'utf8').matchAll(IMPORT_RE)].map((m): [string, string] => [`${dir}/${f}`, m[1] ?? m[2]!]));
}

describe('shared/ import rules', () => {
  it('protocol/ and domain/ import only zod and each other', () => {
    const bad = [...imports('protocol'), ...imports('domain')].filter(([, spec]) => spec !== 'zod' && !/^(?:\.\/|\.\.\/(?:protocol|domain)\/)[\w-]+\.js$/.test(spec));
    expect(bad).toEqual([]);
  });

  it('ipc/ imports protocol, domain, Node built-ins, zod, and node-ipc only in the adapter', () => {
    const all = imports('ipc');
    const bad = all.filter(([, spec]) => !(spec === 'zod' || spec === 'node-ipc' || spec.startsWith('node:') || /^(?:\.\/|\.\.\/(?:protocol|domain)\/)[\w-]+\.js$/.test(spec)));
    expect(bad).toEqual([]);
    expect(all.filter(([, spec]) => spec === 'node-ipc').map(([file]) => file)).toEqual(['ipc/node-ipc-transport.ts']);
  });
});
