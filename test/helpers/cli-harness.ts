// The real `framepack` command as a child process for end-to-end tests: bin/framepack.js run from
// a temp folder (the launcher must find the repository by itself) on isolated XDG runtime, data and
// config dirs, so no test ever talks to the user's daemon; plus a start image and an NDJSON reader.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { vi } from 'vitest';
import { main } from '../../daemon/cli/main.js';

export interface Run { code: number; stdout: string; stderr: string }

export interface CliHarness {
  /** The temp folder: cwd of every run, holds the XDG dirs and the start image. */
  dir: string;
  /** bin/framepack.js */
  bin: string;
  /** A 160×120 PNG start image. */
  image: string;
  /** The isolated environment every run gets. */
  env: NodeJS.ProcessEnv & { XDG_RUNTIME_DIR: string };
  /** Where the daemon's socket appears once one runs. */
  socketFile: string;
  framepack(args: string[], extraEnv?: NodeJS.ProcessEnv): Promise<Run>;
}

export async function createCliHarness(prefix: string): Promise<CliHarness> {
  const bin = path.resolve(import.meta.dirname, '../../bin/framepack.js');
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  const image = path.join(dir, 'start.png');
  const env = {
    ...process.env, XDG_RUNTIME_DIR: path.join(dir, 'rt'), XDG_DATA_HOME: path.join(dir, 'data'), XDG_CONFIG_HOME: path.join(dir, 'config'),
    FRAMEPACK_RUNTIME_DIR: '', FRAMEPACK_DATA_DIR: '',
  };
  await mkdir(env.XDG_RUNTIME_DIR, { recursive: true, mode: 0o700 });
  await sharp(Buffer.from(Uint8Array.from({ length: 160 * 120 * 3 }, (_, i) => (i * 31) % 256)), { raw: { width: 160, height: 120, channels: 3 } }).png().toFile(image);
  const framepack = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => new Promise<Run>((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: dir, env: { ...env, ...extraEnv }, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
  return { dir, bin, image, env, socketFile: path.join(env.XDG_RUNTIME_DIR, 'framepack', 'fp.sock'), framepack };
}

export const ndjson = (text: string) => text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

/**
 * The same CLI in this process: main() of daemon/cli/main.ts with the harness's env plus `extraEnv`
 * and its folder as cwd, stdout and stderr captured; both are restored afterwards. Faster than
 * h.framepack (no Node start per call) where the child-process path is tested elsewhere.
 */
export async function runInProcess(h: Pick<CliHarness, 'env' | 'dir'>, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
  const savedEnv = process.env;
  const savedCwd = process.cwd();
  let stdout = '';
  let stderr = '';
  process.env = { ...h.env, ...extraEnv };
  process.chdir(h.dir);
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.env = savedEnv;
    process.chdir(savedCwd);
  }
}
