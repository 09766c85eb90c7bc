// The temp-dir check of `npm test` (issue 15, item 13): the suite runs with TMPDIR set to a fresh
// folder of its own, so everything new in it afterwards was left there by a test (or a process a
// test started), never by another program on the machine. Pure logic here; run-tests.ts does the I/O.
import { lstatSync, readdirSync, symlinkSync, type Stats } from 'node:fs';
import path from 'node:path';

/** Tool caches that live in the temp dir on purpose and are shared between runs (tsx's compile cache). */
export function sharedCacheNames(uid: number | string): string[] {
  return [`tsx-${uid}`];
}

/** Entries of `after` that were not in `before`, sorted. */
export function newEntries(before: Iterable<string>, after: Iterable<string>): string[] {
  const old = new Set(before);
  return [...after].filter((name) => !old.has(name)).sort();
}

export interface Leftover {
  name: string;
  bytes: number;
}

/** The failure text: every leftover path, its size, and what to do. Empty when there is none. */
export function describeLeftovers(dir: string, leftovers: readonly Leftover[]): string {
  if (leftovers.length === 0) return '';
  const total = leftovers.reduce((sum, l) => sum + l.bytes, 0);
  return [
    `the tests left ${leftovers.length} entr${leftovers.length === 1 ? 'y' : 'ies'} (${formatBytes(total)}) in the temp dir ${dir}:`,
    ...leftovers.map((l) => `  ${path.join(dir, l.name)} (${formatBytes(l.bytes)})`),
    'Each test must remove what it creates, also when it fails: use fileTempDir/testTempDir from test/helpers/temp-dir.ts,',
    'or rm in afterAll/afterEach/finally. The name prefix says which test made it (grep the tests for it).',
  ].join('\n');
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

/** Bytes under a path, without following links; unreadable parts count as 0. */
export function diskBytes(file: string): number {
  let st: Stats;
  try {
    st = lstatSync(file);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.size;
  let sum = 0;
  let names: string[] = [];
  try {
    names = readdirSync(file);
  } catch {
    return 0;
  }
  for (const name of names) sum += diskBytes(path.join(file, name));
  return sum;
}

/** Link the shared caches of `systemTmp` into the run's temp dir, so a run does not start them cold. */
export function linkSharedCaches(systemTmp: string, runTmp: string, uid: number | string): void {
  for (const name of sharedCacheNames(uid)) {
    const target = path.join(systemTmp, name);
    try {
      if (lstatSync(target).isDirectory()) symlinkSync(target, path.join(runTmp, name));
    } catch {
      // No cache yet: the run makes its own, and it is removed with the run's temp dir.
    }
  }
}
