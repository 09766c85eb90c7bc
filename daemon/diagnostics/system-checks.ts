// Checks of the machine itself: Node version, RAM + swap against a bundle's footprint, free disk
// in the data and output folders, and the socket (runtime) folder's ownership and permissions.
// Every input (versions, meminfo text, statfs, uid) can be injected so the tests need no special machine.
import { lstat, readFile, statfs } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runtimeDir, socketPath } from '../../shared/ipc/socket-path.js';
import type { Manifest } from '../models/bundle/manifest.js';
import { errorLine, fail, gib, GiB, ok, warn, type Check } from './check.js';

/** package.json engines: Node 22.13 or later on the 22 line (DEPS.md §1: float16 I/O breaks on 24). */
export const NODE_MIN: [number, number] = [22, 13];
export const NODE_MAJOR = 22;

export function checkNodeVersion(version: string = process.versions.node): Check {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const details = { version };
  if (major === NODE_MAJOR && minor >= NODE_MIN[1]) return ok('node.version', `Node ${version}`, details);
  const fix = 'run framepack through bin/framepack.js or `npx`, which use the pinned Node 22 from node_modules (npm ci installs it)';
  if (major > NODE_MAJOR) return warn('node.version', `Node ${version}: newer than the tested 22 line (float16 tensors fail on Node 24 with onnxruntime-node 1.30)`, fix, details);
  return fail('node.version', `Node ${version} is older than the required ${NODE_MIN.join('.')}`, fix, details);
}

export interface MemoryInfo { totalBytes: number; availableBytes: number; swapTotalBytes: number; swapFreeBytes: number }

/** /proc/meminfo (kB values) → bytes; falls back to os.totalmem/freemem elsewhere. */
export function parseMeminfo(text: string): MemoryInfo | null {
  const kb = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+)\\s*kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const total = kb('MemTotal');
  if (total === undefined) return null;
  return { totalBytes: total, availableBytes: kb('MemAvailable') ?? kb('MemFree') ?? 0, swapTotalBytes: kb('SwapTotal') ?? 0, swapFreeBytes: kb('SwapFree') ?? 0 };
}

export async function readMemoryInfo(): Promise<MemoryInfo> {
  const text = await readFile('/proc/meminfo', 'utf8').catch(() => '');
  return parseMeminfo(text) ?? { totalBytes: os.totalmem(), availableBytes: os.freemem(), swapTotalBytes: 0, swapFreeBytes: 0 };
}

/** What a bundle needs resident: everything at once, and the largest single component (offloading). */
export function bundleFootprint(manifest: Manifest): { allBytes: number; largestBytes: number; largest: string; perComponent: Record<string, number> } {
  const perComponent: Record<string, number> = {};
  let allBytes = 0; let largestBytes = 0; let largest = '';
  for (const [id, c] of Object.entries(manifest.components)) {
    perComponent[id] = c.estimatedResidentBytes;
    allBytes += c.estimatedResidentBytes;
    if (c.estimatedResidentBytes > largestBytes) { largestBytes = c.estimatedResidentBytes; largest = id; }
  }
  return { allBytes, largestBytes, largest, perComponent };
}

/**
 * RAM + swap against the selected bundle (PEERS.md §B3: loads that stall on a small pagefile):
 * fail when not even the largest component fits in RAM + swap, warn when the whole bundle does not
 * fit in available RAM (components will be loaded one at a time or swapped).
 */
export function checkMemory(mem: MemoryInfo, manifest: Manifest | null): Check {
  const details: Record<string, unknown> = { ...mem };
  const have = `RAM ${gib(mem.availableBytes)} available of ${gib(mem.totalBytes)}, swap ${gib(mem.swapFreeBytes)} free of ${gib(mem.swapTotalBytes)}`;
  if (!manifest) return ok('memory', `${have} (no bundle selected to compare with)`, details);
  const f = bundleFootprint(manifest);
  Object.assign(details, { bundle: manifest.name, bundleResidentBytes: f.allBytes, largestComponent: f.largest, largestComponentBytes: f.largestBytes, perComponent: f.perComponent });
  const need = `bundle ${manifest.name} needs ≈${gib(f.allBytes)} resident (largest component ${f.largest} ≈${gib(f.largestBytes)})`;
  if (mem.totalBytes + mem.swapTotalBytes < f.largestBytes) {
    return fail('memory', `${have}; ${need}: even ${f.largest} alone does not fit`, `add RAM or swap to at least ${gib(f.largestBytes * 1.2)} total (on Windows: a pagefile of ≥ ${Math.ceil((f.largestBytes * 1.2) / GiB)} GB), or use a smaller bundle`, details);
  }
  if (mem.availableBytes < f.allBytes) {
    return warn('memory', `${have}; ${need}: components will be loaded one at a time (slower)`, `free memory or add swap so ≈${gib(f.allBytes)} is available; close other large programs`, details);
  }
  return ok('memory', `${have}; ${need}`, details);
}

/** The nearest existing folder at or above `p` (statfs needs one). */
async function existingAncestor(p: string): Promise<string> {
  let dir = path.resolve(p);
  for (;;) {
    try { await lstat(dir); return dir; } catch { /* go up */ }
    const up = path.dirname(dir);
    if (up === dir) return dir;
    dir = up;
  }
}

export async function freeBytes(dir: string): Promise<{ where: string; freeBytes: number }> {
  const where = await existingAncestor(dir);
  const s = await statfs(where);
  return { where, freeBytes: Number(s.bavail) * Number(s.bsize) };
}

/** Free space in a folder against a minimum (data folder: a bundle import; outputs: a few videos). */
export async function checkDisk(id: string, label: string, dir: string, minBytes: number): Promise<Check> {
  try {
    const { where, freeBytes: free } = await freeBytes(dir);
    const details = { dir: path.resolve(dir), measuredAt: where, freeBytes: free, minBytes };
    const finding = `${label} ${path.resolve(dir)}: ${gib(free)} free`;
    if (free < minBytes) return warn(id, `${finding} (< ${gib(minBytes)})`, `free space on that disk or point it elsewhere (${id === 'disk.data' ? 'FRAMEPACK_MODELS_DIR' : '--out'})`, details);
    return ok(id, finding, details);
  } catch (err: unknown) {
    return warn(id, `${label} ${dir}: cannot measure free space (${errorLine(err)})`, 'check that the folder is on a mounted, readable disk');
  }
}

export interface SocketDirOptions { env?: NodeJS.ProcessEnv; uid?: number }

/**
 * The runtime folder the daemon's socket lives in must be ours and private (0700): a folder another
 * user owns could let them read or replace the socket. Missing is fine (the daemon creates it).
 */
export async function checkSocketDir(opts: SocketDirOptions = {}): Promise<Check> {
  const env = opts.env ?? process.env;
  const dir = runtimeDir({ env });
  const uid = opts.uid ?? process.getuid?.();
  let sock: string;
  try {
    sock = socketPath({ env });
  } catch (err: unknown) {
    return fail('socket.dir', errorLine(err), 'set FRAMEPACK_RUNTIME_DIR to a short private folder, e.g. /tmp/fp-$(id -u)');
  }
  const details = { dir, socket: sock };
  let st;
  try {
    st = await lstat(dir);
  } catch {
    return ok('socket.dir', `${dir} does not exist yet; the daemon creates it with mode 0700`, details);
  }
  const mode = (st.mode & 0o777).toString(8).padStart(3, '0');
  Object.assign(details, { mode, ownerUid: st.uid });
  if (st.isSymbolicLink() || !st.isDirectory()) return fail('socket.dir', `${dir} is not a directory`, `remove ${dir} or set FRAMEPACK_RUNTIME_DIR to a folder of your own`, details);
  if (uid !== undefined && st.uid !== uid) return fail('socket.dir', `${dir} belongs to uid ${st.uid}, not to you (uid ${uid})`, `remove ${dir} (as its owner) or set FRAMEPACK_RUNTIME_DIR to a folder of your own`, details);
  if ((st.mode & 0o077) !== 0) return warn('socket.dir', `${dir} has mode ${mode}: other users can reach the socket folder`, `chmod 700 ${dir} (the daemon also tightens it when it starts)`, details);
  return ok('socket.dir', `${dir}: yours, mode ${mode}`, details);
}
