// The single-machine default pays nothing for the shared queue: bullmq and ioredis are imported as
// values only by connection.ts, and only dynamically (on first use of `--queue`); every other file
// may name their types, which TypeScript erases.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const VALUE_IMPORT_RE = /^\s*import\s+(?!type\b)[^;]*?from\s*['"](bullmq|ioredis)['"]|^\s*export\s+(?!type\b)[^;]*?from\s*['"](bullmq|ioredis)['"]/gm;
const DYNAMIC_RE = /import\s*\(\s*['"](bullmq|ioredis)['"]\s*\)/g;

function sources(): string[] {
  return ['daemon', 'shared', 'tui', 'scripts'].flatMap((dir) => readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f))
    .map((f) => path.join(dir, f)));
}

describe('bullmq and ioredis load lazily', () => {
  it('no file imports them statically as values', () => {
    const bad = sources().filter((f) => [...readFileSync(path.join(root, f), 'utf8').matchAll(VALUE_IMPORT_RE)].length > 0);
    expect(bad).toEqual([]);
  });

  it('only daemon/cluster/connection.ts imports them, dynamically', () => {
    const users = sources().filter((f) => [...readFileSync(path.join(root, f), 'utf8').matchAll(DYNAMIC_RE)].length > 0);
    expect(users).toEqual([path.join('daemon', 'cluster', 'connection.ts')]);
  });

  it('the daemon and CLI entries reach daemon/cluster/ only through its plain-fs and pure files, or dynamically', () => {
    const STATIC_RE = /^\s*import\s+(?!type\b)[^;]*?from\s*['"]([^'"]*cluster\/[^'"]+)['"]/gm;
    const entries = ['daemon/main.ts', 'daemon/config.ts', 'daemon/cli/main.ts', 'daemon/cli/generate-command.ts', 'daemon/cli/jobs-command.ts', 'daemon/rpc/handlers.ts', 'daemon/rpc/cluster-handlers.ts'];
    const staticCluster = entries.flatMap((f) => [...readFileSync(path.join(root, f), 'utf8').matchAll(STATIC_RE)].map((m) => path.basename(m[1]!)));
    expect([...new Set(staticCluster)].sort()).toEqual(['claimed-jobs.js', 'queue-url.js']);
  });
});
