// ffmpeg and ffprobe: found (system, npm fallback or FRAMEPACK_FFMPEG), their versions, and whether
// ffmpeg has the libx264 encoder every MP4 framepack writes needs.
import { findFfmpeg, type FfmpegTools } from '../media/ffmpeg.js';
import { errorLine, fail, ok, warn, type Check } from './check.js';

export async function checkFfmpeg(find: () => Promise<FfmpegTools> = () => findFfmpeg()): Promise<Check> {
  let t: FfmpegTools;
  try {
    t = await find();
  } catch (err: unknown) {
    return fail('ffmpeg', `no usable ffmpeg/ffprobe: ${errorLine(err)}`, 'install ffmpeg (apt-get install ffmpeg / brew install ffmpeg) or set FRAMEPACK_FFMPEG and FRAMEPACK_FFPROBE to the binaries');
  }
  const details = { ...t } as Record<string, unknown>;
  const finding = `ffmpeg ${t.ffmpegVersion} (${t.source}: ${t.ffmpegPath}), ffprobe ${t.ffprobeVersion}`;
  if (!t.hasLibx264) return fail('ffmpeg', `${finding}: no libx264 encoder`, 'install an ffmpeg built with libx264 (Debian/Ubuntu ffmpeg has it) or unset FRAMEPACK_FFMPEG to use the bundled one', details);
  if (t.source === 'npm') return warn('ffmpeg', `${finding}, libx264: using the npm fallback build (2018)`, 'install a current system ffmpeg (apt-get install ffmpeg) for faster, maintained encoding', details);
  return ok('ffmpeg', `${finding}, libx264`, details);
}
