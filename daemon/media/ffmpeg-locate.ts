// Finds the ffmpeg/ffprobe pair to use: an explicit override (FRAMEPACK_FFMPEG / FRAMEPACK_FFPROBE),
// else the system binaries on PATH when they have libx264, else the static binaries that ship in
// @ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe, so a fresh machine needs only npm install.
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const VERSION_TIMEOUT_MS = 15_000;

/** Where a binary came from. */
export type FfmpegSource = 'env' | 'system' | 'npm';
/** Which binaries to look for. 'auto' = system first, then npm. */
export type FfmpegPreference = 'auto' | 'system' | 'npm';

export interface FfmpegTools {
  ffmpegPath: string;
  ffprobePath: string;
  source: FfmpegSource;
  /** The word after "ffmpeg version" in `ffmpeg -version`, e.g. "5.1.9-0+deb12u1". */
  ffmpegVersion: string;
  ffprobeVersion: string;
  /** Whether `ffmpeg -encoders` lists libx264 (required for encodeMp4). */
  hasLibx264: boolean;
}

/** No usable ffmpeg/ffprobe: the message says what was tried and how to fix it. */
export class FfmpegNotFoundError extends Error {
  override readonly name = 'FfmpegNotFoundError';
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function onPath(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Paths of the npm-shipped binaries, or undefined when the packages are absent for this platform. */
function npmBinaries(): { ffmpeg?: string; ffprobe?: string } {
  const require = createRequire(import.meta.url);
  const load = (id: string): string | undefined => {
    try {
      // These packages throw plain strings when the platform binary is missing.
      return (require(id) as { path?: string }).path;
    } catch {
      return undefined;
    }
  };
  const result: { ffmpeg?: string; ffprobe?: string } = {};
  const ffmpeg = load('@ffmpeg-installer/ffmpeg');
  const ffprobe = load('@ffprobe-installer/ffprobe');
  if (ffmpeg) result.ffmpeg = ffmpeg;
  if (ffprobe) result.ffprobe = ffprobe;
  return result;
}

async function versionOf(binary: string, word: 'ffmpeg' | 'ffprobe'): Promise<string> {
  const { stdout } = await execFileAsync(binary, ['-hide_banner', '-version'], { timeout: VERSION_TIMEOUT_MS });
  const match = new RegExp(`^${word} version (\\S+)`).exec(stdout);
  if (!match) throw new Error(`${binary} -version printed no "${word} version" line`);
  return match[1]!;
}

async function hasEncoder(ffmpegPath: string, encoder: string): Promise<boolean> {
  const { stdout } = await execFileAsync(ffmpegPath, ['-hide_banner', '-encoders'], { timeout: VERSION_TIMEOUT_MS, maxBuffer: 4 << 20 });
  return new RegExp(`^\\s*V\\S*\\s+${encoder}\\s`, 'm').test(stdout);
}

async function describe(ffmpegPath: string, ffprobePath: string, source: FfmpegSource): Promise<FfmpegTools> {
  const [ffmpegVersion, ffprobeVersion, hasLibx264] = await Promise.all([
    versionOf(ffmpegPath, 'ffmpeg'),
    versionOf(ffprobePath, 'ffprobe'),
    hasEncoder(ffmpegPath, 'libx264'),
  ]);
  return { ffmpegPath, ffprobePath, source, ffmpegVersion, ffprobeVersion, hasLibx264 };
}

async function locate(prefer: FfmpegPreference, env: NodeJS.ProcessEnv): Promise<FfmpegTools> {
  const override = env.FRAMEPACK_FFMPEG?.trim();
  if (override && override !== 'auto' && override !== 'system' && override !== 'npm') {
    if (!(await isExecutable(override))) {
      throw new FfmpegNotFoundError(`FRAMEPACK_FFMPEG=${override} is not an executable file`);
    }
    const probeOverride = env.FRAMEPACK_FFPROBE?.trim();
    const beside = path.join(path.dirname(override), 'ffprobe');
    const ffprobe = probeOverride || ((await isExecutable(beside)) ? beside : await onPath('ffprobe', env));
    if (!ffprobe || !(await isExecutable(ffprobe))) {
      throw new FfmpegNotFoundError(`no ffprobe for FRAMEPACK_FFMPEG=${override}: set FRAMEPACK_FFPROBE to an ffprobe binary`);
    }
    return describe(override, ffprobe, 'env');
  }
  const mode: FfmpegPreference = override === 'system' || override === 'npm' ? override : prefer;
  const tried: string[] = [];
  if (mode !== 'npm') {
    const ffmpeg = await onPath('ffmpeg', env);
    const ffprobe = await onPath('ffprobe', env);
    if (ffmpeg && ffprobe) {
      const tools = await describe(ffmpeg, ffprobe, 'system').catch((err: unknown) => {
        tried.push(`system ${ffmpeg}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
        return undefined;
      });
      // A system build without libx264 (some distros ship one) cannot write our MP4s.
      if (tools?.hasLibx264 || (tools && mode === 'system')) return tools;
      if (tools) tried.push(`system ${ffmpeg} has no libx264 encoder`);
    } else {
      tried.push(`no ffmpeg+ffprobe on PATH`);
    }
  }
  if (mode !== 'system') {
    const npm = npmBinaries();
    if (npm.ffmpeg && npm.ffprobe) {
      for (const bin of [npm.ffmpeg, npm.ffprobe]) {
        if (!(await isExecutable(bin))) {
          throw new FfmpegNotFoundError(`npm binary ${bin} is not executable (chmod +x it, or install a system ffmpeg)`);
        }
      }
      return describe(npm.ffmpeg, npm.ffprobe, 'npm');
    }
    tried.push('@ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe not both installed');
  }
  throw new FfmpegNotFoundError(
    `no usable ffmpeg/ffprobe (${tried.join('; ')}); install ffmpeg (e.g. apt-get install ffmpeg) or set FRAMEPACK_FFMPEG to an ffmpeg binary`,
  );
}

const cache = new Map<string, Promise<FfmpegTools>>();

/**
 * Finds ffmpeg and ffprobe, with versions. Override with FRAMEPACK_FFMPEG = a path, or 'system' /
 * 'npm' to force one source (FRAMEPACK_FFPROBE may name the ffprobe to pair with a path).
 * Results are cached per preference and environment; failures are not cached.
 */
export function findFfmpeg(options: { prefer?: FfmpegPreference; env?: NodeJS.ProcessEnv } = {}): Promise<FfmpegTools> {
  const prefer = options.prefer ?? 'auto';
  const env = options.env ?? process.env;
  const key = JSON.stringify([prefer, env.FRAMEPACK_FFMPEG, env.FRAMEPACK_FFPROBE, env.PATH]);
  let found = cache.get(key);
  if (!found) {
    found = locate(prefer, env);
    cache.set(key, found);
    found.catch(() => cache.delete(key));
  }
  return found;
}
