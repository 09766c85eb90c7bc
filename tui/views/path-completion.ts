// Shell-style completion for the image path: complete to the longest common prefix of the
// matching directory entries; a unique directory gets a trailing "/". The directory listing is
// injected so the logic is tested without a file system.
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface DirEntry {
  name: string;
  dir: boolean;
}

export type ListDir = (dir: string) => DirEntry[];

export const listDirSync: ListDir = (dir) => {
  try {
    return readdirSync(dir, { withFileTypes: true }).map((d) => ({ name: d.name, dir: d.isDirectory() }));
  } catch {
    return [];
  }
};

export interface Completion {
  /** The new field value. */
  value: string;
  /** Matching names when more than one (for display). */
  candidates: string[];
}

function expandHome(p: string, home: string): string {
  return p === '~' ? home : p.startsWith('~/') ? path.join(home, p.slice(2)) : p;
}

export function completePath(input: string, listDir: ListDir = listDirSync, options: { cwd?: string; home?: string } = {}): Completion {
  const home = options.home ?? os.homedir();
  const cwd = options.cwd ?? process.cwd();
  const typed = input === '' ? './' : input;
  const slash = typed.lastIndexOf('/');
  const dirPart = slash >= 0 ? typed.slice(0, slash + 1) : '';
  const prefix = slash >= 0 ? typed.slice(slash + 1) : typed;
  const dirAbs = path.resolve(cwd, expandHome(dirPart || '.', home));
  const showHidden = prefix.startsWith('.');
  const matches = listDir(dirAbs)
    .filter((e) => e.name.startsWith(prefix) && (showHidden || !e.name.startsWith('.')))
    .sort((a, b) => a.name.localeCompare(b.name));
  if (matches.length === 0) return { value: input, candidates: [] };
  if (matches.length === 1) {
    const m = matches[0]!;
    return { value: dirPart + m.name + (m.dir ? '/' : ''), candidates: [] };
  }
  let common = matches[0]!.name;
  for (const m of matches) while (!m.name.startsWith(common)) common = common.slice(0, -1);
  return { value: dirPart + (common.length > prefix.length ? common : prefix), candidates: matches.map((m) => m.name + (m.dir ? '/' : '')) };
}
