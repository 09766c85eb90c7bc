import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMp4, extractFrameRgb, FfmpegError, FfmpegNotFoundError, findFfmpeg, probeVideo, type FfmpegTools } from './ffmpeg.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'fp-ffmpeg-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const W = 64;
const H = 96;
const FRAMES = 37;

/** Frame t: top half a colour that changes with t, bottom half a fixed colour (block edges on even rows). */
function colourOf(t: number): [number, number, number] {
  return [(t * 7) % 256, 255 - ((t * 5) % 200), 40 + t];
}
const BOTTOM: [number, number, number] = [30, 90, 220];
function frame(t: number): Uint8Array {
  const rgb = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) rgb.set(y < H / 2 ? colourOf(t) : BOTTOM, (y * W + x) * 3);
  return rgb;
}
async function* slowFrames(count: number, delayMs: number): AsyncGenerator<Uint8Array> {
  for (let t = 0; t < count; t++) {
    if (delayMs > 0) await sleep(delayMs);
    yield frame(t);
  }
}

/** Mean absolute difference over the pixels of one half of a decoded frame, against a colour. */
function meanAbsDiff(rgb: Uint8Array, half: 'top' | 'bottom', colour: [number, number, number]): number {
  let sum = 0;
  let n = 0;
  // Skip the two rows at the colour edge, where 4:2:0 chroma is shared.
  const [y0, y1] = half === 'top' ? [0, H / 2 - 2] : [H / 2 + 2, H];
  for (let y = y0; y < y1; y++) {
    for (let x = 0; x < W; x++) {
      for (let c = 0; c < 3; c++) sum += Math.abs(rgb[(y * W + x) * 3 + c]! - colour[c]!);
      n += 3;
    }
  }
  return sum / n;
}

const systemFfmpegOnPath = (() => {
  try {
    execFileSync('ffmpeg', ['-hide_banner', '-version'], { stdio: 'ignore' });
    execFileSync('ffprobe', ['-hide_banner', '-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('findFfmpeg', () => {
  it('prefers the system binaries on PATH, else the npm ones', async () => {
    const tools = await findFfmpeg();
    expect(tools.source).toBe(systemFfmpegOnPath ? 'system' : 'npm');
    expect(tools.ffmpegVersion).not.toBe('');
    expect(tools.hasLibx264).toBe(true);
  });

  it('finds the npm-shipped binaries when forced, by option or by FRAMEPACK_FFMPEG=npm', async () => {
    const byOption = await findFfmpeg({ prefer: 'npm' });
    expect(byOption.source).toBe('npm');
    expect(byOption.ffmpegPath).toContain(path.join('@ffmpeg-installer', `${process.platform}-${process.arch}`));
    expect(byOption.ffprobePath).toContain(path.join('@ffprobe-installer', `${process.platform}-${process.arch}`));
    expect(byOption.ffmpegVersion).toMatch(/^N-\d+-g[0-9a-f]+-static$/); // the 2018 johnvansickle build
    expect(byOption.hasLibx264).toBe(true);
    const byEnv = await findFfmpeg({ env: { ...process.env, FRAMEPACK_FFMPEG: 'npm' } });
    expect(byEnv.ffmpegPath).toBe(byOption.ffmpegPath);
  });

  it('accepts an explicit binary path and refuses a bad one', async () => {
    const npm = await findFfmpeg({ prefer: 'npm' });
    const env = { ...process.env, FRAMEPACK_FFMPEG: npm.ffmpegPath, FRAMEPACK_FFPROBE: npm.ffprobePath };
    await expect(findFfmpeg({ env })).resolves.toMatchObject({ source: 'env', ffmpegPath: npm.ffmpegPath });
    await expect(findFfmpeg({ env: { ...process.env, FRAMEPACK_FFMPEG: path.join(root, 'nope') } })).rejects.toThrow(
      /FRAMEPACK_FFMPEG=.*nope is not an executable file/,
    );
  });

  it('says how to fix it when no system ffmpeg exists and npm is not allowed', async () => {
    const err = await findFfmpeg({ prefer: 'system', env: { PATH: root } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegNotFoundError);
    expect((err as Error).message).toMatch(/no ffmpeg\+ffprobe on PATH.*install ffmpeg.*FRAMEPACK_FFMPEG/);
  });
});

describe.each([
  ['auto (system when present)', 'auto' as const],
  ['npm-shipped', 'npm' as const],
])('encodeMp4 with %s binaries', (_label, prefer) => {
  let tools: FfmpegTools;
  let dir: string;
  beforeAll(async () => {
    tools = await findFfmpeg({ prefer });
    dir = await mkdtemp(path.join(root, `${prefer}-`));
  });

  it('writes 37 frames 64×96 at 30 fps as h264 yuv420p with metadata, and the colours survive', async () => {
    const outPath = path.join(dir, 'clip.mp4');
    const comment = JSON.stringify({ prompt: 'a "quoted" prompt, with commas = and ünïcode', seed: 31337 });
    const result = await encodeMp4({
      frames: slowFrames(FRAMES, 0),
      width: W,
      height: H,
      fps: 30,
      crf: 16,
      outPath,
      metadata: { title: 'FramePack test', comment },
      tools,
    });
    expect(result.path).toBe(outPath);
    const probe = await probeVideo(outPath, tools);
    expect(probe).toMatchObject({ codec: 'h264', pixFmt: 'yuv420p', width: W, height: H, frames: FRAMES, fps: 30 });
    expect(probe.durationS).toBeCloseTo(FRAMES / 30, 1);
    expect(probe.tags.title).toBe('FramePack test');
    expect(probe.tags.comment).toBe(comment);
    expect(await readdir(dir)).toEqual(['clip.mp4']);

    for (const t of [0, 18, 36]) {
      const decoded = await extractFrameRgb(outPath, t, tools);
      expect([decoded.width, decoded.height]).toEqual([W, H]);
      expect(meanAbsDiff(decoded.rgb, 'top', colourOf(t))).toBeLessThan(4);
      expect(meanAbsDiff(decoded.rgb, 'bottom', BOTTOM)).toBeLessThan(4);
    }
  });

  it('cancellation kills ffmpeg and leaves no file behind', async () => {
    const sub = await mkdtemp(path.join(dir, 'cancel-'));
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 150);
    const err = await encodeMp4({
      frames: slowFrames(1000, 20),
      width: W,
      height: H,
      fps: 30,
      crf: 16,
      outPath: path.join(sub, 'never.mp4'),
      signal: controller.signal,
      tools,
    }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await readdir(sub)).toEqual([]);
  });

  it('a failing ffmpeg (bad x264 preset) gives an error with its stderr and leaves no file', async () => {
    const sub = await mkdtemp(path.join(dir, 'fail-'));
    const err = await encodeMp4({
      frames: Array.from({ length: 20 }, (_, t) => frame(t)),
      width: W,
      height: H,
      fps: 30,
      crf: 16,
      preset: 'bogus',
      outPath: path.join(sub, 'bad.mp4'),
      tools,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegError);
    expect((err as Error).message).toMatch(/^ffmpeg failed writing .*bad\.mp4 \(exit 1\)/);
    expect((err as FfmpegError).stderrTail).toMatch(/preset/);
    expect(await readdir(sub)).toEqual([]);
  });
});

describe('encodeMp4 argument checks (refused before ffmpeg starts)', () => {
  const base = { frames: [frame(0)], fps: 30, crf: 16 };
  it('refuses odd sizes, CRF outside 0–51 and metadata the MP4 muxer would drop', async () => {
    const out = path.join(root, 'x.mp4');
    await expect(encodeMp4({ ...base, width: 63, height: 96, outPath: out })).rejects.toThrow(/odd side; yuv420p needs even width and height/);
    await expect(encodeMp4({ ...base, width: W, height: H, crf: 52, outPath: out })).rejects.toThrow(/crf must be an integer 0–51, got 52/);
    await expect(encodeMp4({ ...base, width: W, height: H, crf: 16.5, outPath: out })).rejects.toThrow(/crf/);
    await expect(encodeMp4({ ...base, width: W, height: H, outPath: out, metadata: { seed: '1' } })).rejects.toThrow(
      /metadata key 'seed' would be dropped/,
    );
  });

  it('refuses a frame of the wrong size mid-stream and cleans up', async () => {
    const sub = await mkdtemp(path.join(root, 'short-'));
    const frames = [frame(0), frame(1), new Uint8Array(10)];
    await expect(encodeMp4({ ...base, frames, width: W, height: H, outPath: path.join(sub, 'v.mp4') })).rejects.toThrow(
      /frame 2 has 10 bytes, expected 64x96x3 = 18432/,
    );
    expect(await readdir(sub)).toEqual([]);
  });

  it('refuses an empty frame sequence and cleans up', async () => {
    const sub = await mkdtemp(path.join(root, 'empty-'));
    await expect(encodeMp4({ ...base, frames: [], width: W, height: H, outPath: path.join(sub, 'v.mp4') })).rejects.toThrow(/no frames to write/);
    expect(await readdir(sub)).toEqual([]);
  });

  it('reports a missing output folder through ffmpeg', async () => {
    const err = await encodeMp4({ ...base, width: W, height: H, outPath: path.join(root, 'no-such-dir', 'v.mp4') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegError);
    expect((err as Error).message).toMatch(/No such file or directory/);
  });

  it('probeVideo fails clearly on a file that is not a video', async () => {
    await expect(probeVideo(path.join(root, 'missing.mp4'))).rejects.toThrow(/ffprobe failed on .*missing\.mp4/);
  });
});
