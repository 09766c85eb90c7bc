// `npm run bench -- overlap`: decode off the critical path, measured (issue 19 item 3). The same
// job (partial videos on, as `generate` does) run in one process with the decode, stitch, partial
// MP4 and checkpoint of section k either serial or overlapped with the sampling of section k+1,
// for each intra-op thread count asked for (sessions reopened per count: with every core per
// session, two concurrent runs share the cores; with half, each gets its own). One untimed warm-up
// job first. Reports each job's wall time and checks the overlapped video's frames are the serial
// one's (ffmpeg's md5 of the decoded frames).
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadBundle } from '../../daemon/models/bundle/load-bundle.js';
import { generateVideo } from '../../daemon/engine/pipeline/pipeline.js';
import { resolveJobSpec } from '../../daemon/engine/pipeline/job-spec.js';
import { openSessions } from '../../daemon/engine/pipeline/sessions.js';
import { findFfmpeg } from '../../daemon/media/ffmpeg-locate.js';

export interface OverlapBenchRow {
  bench: 'overlap';
  bundle: string;
  seconds: number;
  sections: number;
  steps: number;
  /** Intra-op threads of every session. */
  threads: number;
  cores: number;
  overlap: boolean;
  wallSeconds: number;
  /** md5 of the decoded frames of the final video. */
  framesMd5: string;
}

async function framesMd5(file: string): Promise<string> {
  const { ffmpegPath } = await findFfmpeg();
  const { stdout } = await promisify(execFile)(ffmpegPath, ['-v', 'error', '-i', file, '-f', 'md5', '-']);
  return stdout.trim();
}

export async function benchOverlap(opts: { bundleDir: string; imagePath: string; seconds: number; steps: number; threads: number[]; onRow: (r: OverlapBenchRow) => void }): Promise<void> {
  const bundle = await loadBundle(opts.bundleDir, { verify: 'cached' });
  const manifest = bundle.manifest;
  const work = await mkdtemp(path.join(os.tmpdir(), 'fp-overlap-'));
  try {
    for (const threads of opts.threads) {
      const sessions = await openSessions(bundle, { threads });
      try {
        const job = async (seconds: number, steps: number, overlap: boolean, name: string) => {
          const spec = resolveJobSpec({ imagePath: opts.imagePath, prompt: 'a red circle moves to the right on a yellow background', seconds, steps, seed: 1 }, manifest, manifest.name);
          const out = path.join(work, `${name}.mp4`);
          const t0 = performance.now();
          let sections = 0;
          await generateVideo(spec, {
            bundle, sessions, out, threads, overlapDecode: overlap ? 'on' : 'off',
            onEvent: (e) => { if (e.type === 'job.planned') sections = e.sections; },
          });
          return { wallSeconds: (performance.now() - t0) / 1000, sections, out };
        };
        await job(1, 1, false, `warm-${threads}`);
        for (const overlap of [false, true]) {
          const r = await job(opts.seconds, opts.steps, overlap, `${overlap ? 'overlap' : 'serial'}-${threads}`);
          opts.onRow({
            bench: 'overlap', bundle: manifest.name, seconds: opts.seconds, sections: r.sections, steps: opts.steps, threads,
            cores: os.availableParallelism(), overlap, wallSeconds: Math.round(r.wallSeconds * 100) / 100, framesMd5: await framesMd5(r.out),
          });
        }
      } finally {
        await sessions.release();
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
