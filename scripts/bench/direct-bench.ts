// `npm run bench -- direct`: do the directing options act (issue 17)? On the default model, for
// held-out data.py cases (a shape that the prompt moves right), through the real in-process
// generateVideo (inverted mode, 4 sections, the case's seed, lossless CRF 0):
//   end frame  the last frame's mean absolute RGB difference to an end image (the same shape moved
//              LEFT, the data's clip for the opposite motion: an end the prompt does not lead to),
//              and its shape centroid's distance to the end image's, with and without --end-image
//   loop       the last frame's difference to the first frame, with and without --end-image = start
//   timed      "[0s: … slides right …] [2.4s: … slides up …]" (the change is at display section 3)
//              against the plain right and plain up prompts with the same seed: per display section
//              the mean |ΔRGB| to each plain video, and the shape's motion (dx, dy). In inverted
//              order sections 4 and 3 are generated first, with the up prompt and the same noise
//              and context as the plain up job, so they should equal it; 2 and 1 follow the right
//              prompt from that history.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadBundle } from '../../daemon/models/bundle/load-bundle.js';
import { savePng } from '../../daemon/media/image-input.js';
import { generateVideo } from '../../daemon/engine/pipeline/pipeline.js';
import { resolveJobSpec, type JobSpecInput } from '../../daemon/engine/pipeline/job-spec.js';
import { openSessions } from '../../daemon/engine/pipeline/sessions.js';
import { decodeVideoRgb, HELD_OUT_DATA_SEED, BASE_SEED } from './drift-bench.js';
import { borderColour, meanAbsDiff, sectionDiff, sectionDx, sectionDy, shapeCentroid } from './direct-metrics.js';

export interface DirectCase { index: number; width: number; height: number; start: Uint8Array; leftEnd: Uint8Array; rightPrompt: string; upPrompt: string }

export interface DirectCaseRow {
  bench: 'direct'; type: 'case'; case: number; prompt: string; seed: number;
  /** Last frame vs the left-moved end image: mean |ΔRGB| and centroid distance (px), without / with --end-image. */
  endFrame: { plainDiff: number; endDiff: number; plainCentroidPx: number | null; endCentroidPx: number | null };
  /** Last frame vs the first frame, without / with --end-image = the start image. */
  loop: { plainDiff: number; loopDiff: number };
  /** Per display section: mean |ΔRGB| of the timed video to each plain video, and the shape's motion (px; x right, y down). */
  timed: {
    prompt: string; diffToRight: number[]; diffToUp: number[];
    dx: { right: (number | null)[]; up: (number | null)[]; timed: (number | null)[] };
    dy: { right: (number | null)[]; up: (number | null)[]; timed: (number | null)[] };
  };
}

export interface DirectSummaryRow {
  bench: 'direct'; type: 'summary'; bundle: string; cases: number; seconds: number; steps: number; teacache: boolean;
  meanEndDiff: { plain: number; end: number }; meanLoopDiff: { plain: number; loop: number };
  /** Means per display section over the cases. */
  meanDiffToRight: number[]; meanDiffToUp: number[];
  wallSeconds: number;
}

export type DirectBenchOutput = DirectCaseRow | DirectSummaryRow;

const PY = `
import base64, json, sys
sys.path.insert(0, sys.argv[1])
import data
seed, count = int(sys.argv[2]), int(sys.argv[3])
for i in range(count):
    r, rp, _ = data.clip(seed, i, motion="right")
    l, lp, _ = data.clip(seed, i, motion="left")
    u, up, _ = data.clip(seed, i, motion="up")
    b = lambda a: base64.b64encode(a.tobytes()).decode()
    print(json.dumps({"index": i, "height": int(r.shape[1]), "width": int(r.shape[2]), "start": b(r[0]), "leftEnd": b(l[-1]), "rightPrompt": rp, "upPrompt": up}))
`;

export async function directCases(count: number): Promise<DirectCase[]> {
  const { stdout } = await promisify(execFile)('/usr/bin/python3', ['-c', PY, path.resolve(import.meta.dirname, '../train'), String(HELD_OUT_DATA_SEED), String(count)], { maxBuffer: 64 << 20 });
  return stdout.trim().split('\n').map((line) => {
    const c = JSON.parse(line) as { index: number; height: number; width: number; start: string; leftEnd: string; rightPrompt: string; upPrompt: string };
    const u8 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
    return { index: c.index, width: c.width, height: c.height, start: u8(c.start), leftEnd: u8(c.leftEnd), rightPrompt: c.rightPrompt, upPrompt: c.upPrompt };
  });
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export async function benchDirect(opts: { bundleDir: string; cases: number; steps?: number; onRow: (r: DirectBenchOutput) => void }): Promise<void> {
  const started = performance.now();
  const bundle = await loadBundle(opts.bundleDir, { verify: 'cached' });
  const manifest = bundle.manifest;
  const sessions = await openSessions(bundle);
  const work = await mkdtemp(path.join(os.tmpdir(), 'fp-direct-'));
  // 4 sections of 36 frames (4.83 s): the training clips' length.
  const seconds = 4.8;
  const framesPerSection = 36;
  const rows: DirectCaseRow[] = [];
  let steps = 0, teacache = false;
  try {
    for (const c of await directCases(opts.cases)) {
      const start = path.join(work, `start-${c.index}.png`);
      const leftEnd = path.join(work, `left-end-${c.index}.png`);
      await savePng({ width: c.width, height: c.height, rgb: c.start }, start);
      await savePng({ width: c.width, height: c.height, rgb: c.leftEnd }, leftEnd);
      const seed = BASE_SEED + c.index;
      const run = async (name: string, input: Partial<JobSpecInput>) => {
        // CRF 0 (lossless x264): the differences measured are the model's, not the codec's.
        const spec = resolveJobSpec({ imagePath: start, prompt: c.rightPrompt, seconds, seed, mode: 'inverted', crf: 0, ...(opts.steps !== undefined ? { steps: opts.steps } : {}), ...input }, manifest, manifest.name);
        steps = spec.steps; teacache = spec.teacache;
        return decodeVideoRgb(await generateVideo(spec, { bundle, sessions, partials: false, out: path.join(work, `case-${c.index}-${name}.mp4`) }));
      };
      const plain = await run('plain', {});
      const end = await run('end', { endImagePath: leftEnd });
      const loop = await run('loop', { endImagePath: start });
      const timedPrompt = `[0s: ${c.rightPrompt}] [2.4s: ${c.upPrompt}]`;
      const timed = await run('timed', { prompt: timedPrompt });
      const up = await run('up', { prompt: c.upPrompt });
      const last = (v: typeof plain) => v.frames[v.frames.length - 1]!;
      const bg = borderColour(c.start, c.width, c.height);
      const target = shapeCentroid(c.leftEnd, c.width, c.height, bg);
      const centroidPx = (f: Uint8Array) => {
        const p = shapeCentroid(f, c.width, c.height, bg);
        return p && target ? r2(Math.hypot(p.x - target.x, p.y - target.y)) : null;
      };
      const row: DirectCaseRow = {
        bench: 'direct', type: 'case', case: c.index, prompt: c.rightPrompt, seed,
        endFrame: { plainDiff: r2(meanAbsDiff(last(plain), c.leftEnd)), endDiff: r2(meanAbsDiff(last(end), c.leftEnd)), plainCentroidPx: centroidPx(last(plain)), endCentroidPx: centroidPx(last(end)) },
        loop: { plainDiff: r2(meanAbsDiff(last(plain), plain.frames[0]!)), loopDiff: r2(meanAbsDiff(last(loop), loop.frames[0]!)) },
        timed: {
          prompt: timedPrompt, diffToRight: sectionDiff(timed, plain, framesPerSection), diffToUp: sectionDiff(timed, up, framesPerSection),
          dx: { right: sectionDx(plain, framesPerSection, bg), up: sectionDx(up, framesPerSection, bg), timed: sectionDx(timed, framesPerSection, bg) },
          dy: { right: sectionDy(plain, framesPerSection, bg), up: sectionDy(up, framesPerSection, bg), timed: sectionDy(timed, framesPerSection, bg) },
        },
      };
      rows.push(row);
      opts.onRow(row);
    }
  } finally {
    await sessions.release();
    await rm(work, { recursive: true, force: true });
  }
  const perSection = (pick: (r: DirectCaseRow) => readonly (number | null)[]) => {
    const n = Math.max(...rows.map((r) => pick(r).length));
    return Array.from({ length: n }, (_, d) => r2(mean(rows.map((r) => pick(r)[d]).filter((x): x is number => x !== null && x !== undefined))));
  };
  opts.onRow({
    bench: 'direct', type: 'summary', bundle: manifest.name, cases: rows.length, seconds, steps, teacache,
    meanEndDiff: { plain: r2(mean(rows.map((r) => r.endFrame.plainDiff))), end: r2(mean(rows.map((r) => r.endFrame.endDiff))) },
    meanLoopDiff: { plain: r2(mean(rows.map((r) => r.loop.plainDiff))), loop: r2(mean(rows.map((r) => r.loop.loopDiff))) },
    meanDiffToRight: perSection((r) => r.timed.diffToRight), meanDiffToUp: perSection((r) => r.timed.diffToUp),
    wallSeconds: Math.round((performance.now() - started) / 10) / 100,
  });
}

/** One human line per row. */
export function directLine(r: DirectBenchOutput): string {
  const dx = (xs: (number | null)[]) => xs.map((x) => (x === null ? '  –  ' : x.toFixed(1).padStart(5))).join(' ');
  if (r.type === 'case') {
    return `case ${r.case} (${r.prompt}, seed ${r.seed})\n` +
      `  end frame: last-frame |ΔRGB| to the end image ${r.endFrame.plainDiff} without → ${r.endFrame.endDiff} with --end-image; shape centroid ${r.endFrame.plainCentroidPx ?? '–'} px → ${r.endFrame.endCentroidPx ?? '–'} px from the end image's\n` +
      `  loop:      last-frame |ΔRGB| to the first frame ${r.loop.plainDiff} without → ${r.loop.loopDiff} with --end-image = start\n` +
      `  timed:     per display section, mean |ΔRGB| of the timed video to plain right ${dx(r.timed.diffToRight)} | to plain up ${dx(r.timed.diffToUp)}\n` +
      `             shape dx (px): right ${dx(r.timed.dx.right)} | up ${dx(r.timed.dx.up)} | timed ${dx(r.timed.dx.timed)}\n` +
      `             shape dy (px): right ${dx(r.timed.dy.right)} | up ${dx(r.timed.dy.up)} | timed ${dx(r.timed.dy.timed)}`;
  }
  return `direct: ${r.bundle}, ${r.cases} case(s), ${r.seconds} s (4 sections), ${r.steps} steps, TeaCache ${r.teacache ? 'on' : 'off'}, ${r.wallSeconds} s wall\n` +
    `  end frame mean |ΔRGB| to the end image: ${r.meanEndDiff.plain} without, ${r.meanEndDiff.end} with --end-image\n` +
    `  loop mean |ΔRGB| last vs first frame:   ${r.meanLoopDiff.plain} without, ${r.meanLoopDiff.loop} with --end-image = start\n` +
    `  timed [0s right][2.4s up], mean |ΔRGB| per display section to the plain right video: ${r.meanDiffToRight.join(', ')}; to the plain up video: ${r.meanDiffToUp.join(', ')}`;
}
