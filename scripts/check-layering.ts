// Fails when the layering of ARCHITECTURE.md §2 / STYLE.md §3.1 is broken: daemon/ and tui/ never
// import each other, shared/ imports neither, scripts/ never import tui/. Run by `npm run
// lint:layers` and by test/layering.test.ts.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const rules: Record<string, string[]> = {
  daemon: ['tui', 'scripts', 'test'],
  tui: ['daemon', 'scripts', 'test'],
  shared: ['daemon', 'tui', 'scripts', 'test'],
  scripts: ['tui'],
};
const IMPORT_RE = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;

async function* sourceFiles(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) { if (entry.name !== 'node_modules') yield* sourceFiles(p); }
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(entry.name)) yield p;
  }
}

export async function findLayeringViolations(base = root): Promise<string[]> {
  const violations: string[] = [];
  for (const [layer, forbidden] of Object.entries(rules)) {
    for await (const file of sourceFiles(path.join(base, layer))) {
      const text = await readFile(file, 'utf8');
      for (const m of text.matchAll(IMPORT_RE)) {
        const spec = m[1] ?? m[2] ?? m[3]!;
        if (!spec.startsWith('.')) continue;
        const target = path.relative(base, path.resolve(path.dirname(file), spec)).split(path.sep)[0]!;
        // Unit tests beside product files may use test/ helpers; product code may not.
        if (target === 'test' && /\.test\.tsx?$/.test(file)) continue;
        if (forbidden.includes(target)) violations.push(`${path.relative(base, file)} imports '${spec}' (${layer}/ must not import ${target}/)`);
      }
    }
  }
  return violations;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const violations = await findLayeringViolations();
  for (const v of violations) console.error(v);
  console.log(violations.length ? `${violations.length} layering violation(s)` : 'layering ok');
  process.exit(violations.length ? 1 : 0);
}
