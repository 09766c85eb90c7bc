// Where the daemon's socket and data live (STYLE.md §3.3 conv. 6): a per-user runtime directory with mode
// 0700 ($FRAMEPACK_RUNTIME_DIR, else $XDG_RUNTIME_DIR/framepack, else /tmp/framepack-<uid>), a
// short socket name (hashed when several instances run), and a length check whose message says how
// to fix it, because bind() on an over-long path fails with an unhelpful EINVAL or truncates.
import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** sun_path holds 108 bytes on Linux and 104 on macOS, each including the trailing NUL. */
export const MAX_SOCKET_PATH_BYTES: Readonly<Record<string, number>> = { linux: 107, darwin: 103 };
const FALLBACK_MAX_SOCKET_PATH_BYTES = 103;

export interface RuntimeEnv {
  env?: Readonly<Record<string, string | undefined>>;
  uid?: number;
  platform?: NodeJS.Platform;
  tmpdir?: string;
}

/** The runtime directory path (not created). */
export function runtimeDir(options: RuntimeEnv = {}): string {
  const env = options.env ?? process.env;
  if (env.FRAMEPACK_RUNTIME_DIR) return path.resolve(env.FRAMEPACK_RUNTIME_DIR);
  if (env.XDG_RUNTIME_DIR) return path.join(env.XDG_RUNTIME_DIR, 'framepack');
  const uid = options.uid ?? process.getuid?.() ?? 0;
  return path.join(options.tmpdir ?? (options.platform === 'darwin' ? '/tmp' : os.tmpdir()), `framepack-${uid}`);
}

/** Socket file name: 'fp.sock', or 'fp-<8 hex>.sock' for a named instance (e.g. a data directory). */
export function socketName(instance?: string): string {
  if (!instance) return 'fp.sock';
  return `fp-${createHash('sha256').update(instance).digest('hex').slice(0, 8)}.sock`;
}

/** Full socket path for the runtime directory and instance, length-checked. */
export function socketPath(options: RuntimeEnv & { instance?: string } = {}): string {
  const p = path.join(runtimeDir(options), socketName(options.instance));
  assertSocketPathLength(p, options.platform ?? process.platform);
  return p;
}

/** Throws with a fix-it message when the path is too long for a Unix socket on this platform. */
export function assertSocketPathLength(socketFile: string, platform: NodeJS.Platform = process.platform): void {
  if (platform === 'win32') return; // named pipes have no such limit
  const max = MAX_SOCKET_PATH_BYTES[platform] ?? FALLBACK_MAX_SOCKET_PATH_BYTES;
  const bytes = Buffer.byteLength(socketFile);
  if (bytes > max) {
    throw new RangeError(
      `socket path ${socketFile} is ${bytes} bytes; ${platform} allows at most ${max}. ` +
        `Set FRAMEPACK_RUNTIME_DIR to a shorter directory (for example /tmp/fp-${process.getuid?.() ?? 'user'}).`,
    );
  }
}

/**
 * Create the runtime directory with mode 0700 if missing, and refuse one that is not a real
 * directory owned by us (another user could otherwise pre-create it and read our socket). A
 * group/world-accessible one of ours is tightened to 0700.
 */
export function ensureRuntimeDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  if (!stat.isDirectory() || stat.isSymbolicLink()) throw new Error(`runtime directory ${dir} is not a directory; remove it or set FRAMEPACK_RUNTIME_DIR`);
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) {
    throw new Error(`runtime directory ${dir} belongs to uid ${stat.uid}, not to you (uid ${uid}); set FRAMEPACK_RUNTIME_DIR to a directory of your own`);
  }
  if ((stat.mode & 0o077) !== 0) chmodSync(dir, 0o700);
  return dir;
}

/**
 * The data directory (journal, jobs, outputs, logs): $FRAMEPACK_DATA_DIR, else
 * $XDG_DATA_HOME/framepack, else ~/.local/share/framepack. Here so the daemon and every client
 * resolve it alike (the daemon's `dataDir` setting sits between XDG and FRAMEPACK_DATA_DIR).
 */
export function dataDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (env.FRAMEPACK_DATA_DIR) return path.resolve(env.FRAMEPACK_DATA_DIR);
  const base = env.XDG_DATA_HOME ? path.resolve(env.XDG_DATA_HOME) : path.join(env.HOME ?? os.homedir(), '.local', 'share');
  return path.join(base, 'framepack');
}
