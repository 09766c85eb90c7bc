// `npx tsx scripts/preview-strip.ts --video OUT.mp4 --png STRIP.png [--gif CLIP.gif] [--frames 8] [--scale 3]`:
// a still strip (frames evenly spaced from first to last, side by side, nearest-neighbour upscaled
// so a 64×96 clip stays crisp) and optionally an animated GIF of a generated video, for the README
// and for issue reports. Frames come out of the MP4 through ffmpeg, exactly as a player shows them.
import { spawn } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { extractFrameRgb, findFfmpeg, probeVideo } from '../daemon/media/ffmpeg.js';

export interface PreviewStripOptions {
  video: string;
  png: string;
  gif?: string;
  frames?: number;
  scale?: number;
  /** Pixels of background between frames (before scaling). */
  gapPx?: number;
  /** GIF frame rate (the video's is 30; 15 halves the file). */
  gifFps?: number;
}

export interface PreviewStripResult { frameIndices: number[]; width: number; height: number; gifBytes?: number }

/** Indices 0 … last, `count` of them, evenly spaced (rounded). */
export function evenlySpacedFrames(total: number, count: number): number[] {
  if (!(Number.isInteger(total) && total > 0)) throw new RangeError(`video has ${total} frames`);
  const n = Math.max(1, Math.min(count, total));
  if (n === 1) return [0];
  return Array.from({ length: n }, (_, i) => Math.round((i * (total - 1)) / (n - 1)));
}

export async function previewStrip(opts: PreviewStripOptions): Promise<PreviewStripResult> {
  const scale = opts.scale ?? 3;
  const gap = opts.gapPx ?? 2;
  if (!(Number.isInteger(scale) && scale >= 1 && scale <= 16)) throw new RangeError(`--scale must be an integer 1..16 (got ${opts.scale})`);
  const tools = await findFfmpeg();
  const probe = await probeVideo(opts.video, tools);
  const frameIndices = evenlySpacedFrames(probe.frames, opts.frames ?? 8);
  const tileW = probe.width * scale;
  const tileH = probe.height * scale;
  const width = frameIndices.length * tileW + (frameIndices.length - 1) * gap * scale;
  const tiles = await Promise.all(frameIndices.map(async (index, i) => {
    const f = await extractFrameRgb(opts.video, index, tools);
    const input = await sharp(Buffer.from(f.rgb), { raw: { width: f.width, height: f.height, channels: 3 } })
      .resize(tileW, tileH, { kernel: 'nearest' }).png().toBuffer();
    return { input, left: i * (tileW + gap * scale), top: 0 };
  }));
  await mkdir(path.dirname(path.resolve(opts.png)), { recursive: true });
  await sharp({ create: { width, height: tileH, channels: 3, background: { r: 255, g: 255, b: 255 } } })
    .composite(tiles).png({ compressionLevel: 9 }).toFile(opts.png);
  const result: PreviewStripResult = { frameIndices, width, height: tileH };
  if (opts.gif) {
    await mkdir(path.dirname(path.resolve(opts.gif)), { recursive: true });
    const fps = opts.gifFps ?? 15;
    const filter = `fps=${fps},scale=iw*${scale}:ih*${scale}:flags=neighbor,split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse=dither=none`;
    await run(tools.ffmpegPath, ['-hide_banner', '-v', 'error', '-y', '-i', opts.video, '-vf', filter, '-loop', '0', opts.gif]);
    result.gifBytes = (await stat(opts.gif)).size;
  }
  return result;
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} exited ${code}: ${stderr.trim().slice(-500)}`))));
  });
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: {
    video: { type: 'string' }, png: { type: 'string' }, gif: { type: 'string' }, frames: { type: 'string' }, scale: { type: 'string' }, help: { type: 'boolean', short: 'h' },
  } });
  if (values.help || !values.video || !values.png) {
    process.stdout.write('Usage: npx tsx scripts/preview-strip.ts --video OUT.mp4 --png STRIP.png [--gif CLIP.gif] [--frames 8] [--scale 3]\n');
    return values.help ? 0 : 2;
  }
  const r = await previewStrip({ video: values.video, png: values.png, gif: values.gif,
    frames: values.frames === undefined ? undefined : Number(values.frames), scale: values.scale === undefined ? undefined : Number(values.scale) });
  process.stdout.write(`${values.png}: frames ${r.frameIndices.join(', ')} → ${r.width}×${r.height}${r.gifBytes !== undefined ? `; ${values.gif}: ${r.gifBytes} bytes` : ''}\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`preview-strip: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  });
}
