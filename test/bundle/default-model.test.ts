// The default bundle is a trained model, not noise: the README's quick-start job (docs/examples/start.png,
// a held-out clip's first frame, and its prompt) makes a video that keeps the scene — the background
// away from the circle stays the start picture's in every frame of the decoded MP4, and the area the
// circle was in stays reddish. The seeded (random) weights fail the same checks. (That the circle
// moves as the prompt says is not checked: the current model does not do it; docs/training.md, Status.)
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadBundle, type LoadedBundle } from '../../daemon/models/bundle/load-bundle.js';
import { generateVideo } from '../../daemon/engine/pipeline/pipeline.js';
import { resolveJobSpec } from '../../daemon/engine/pipeline/job-spec.js';
import { openSessions } from '../../daemon/engine/pipeline/sessions.js';
import { DEFAULT_BUNDLE_DIR } from '../../scripts/make-default-bundle.js';
import { makeSeededBundle } from '../../scripts/seeded-bundle.js';
import { decodeVideoRgb } from '../../scripts/bench/drift-bench.js';
import type { FrameSet } from '../../scripts/bench/frame-metrics.js';

const REPO = path.resolve(import.meta.dirname, '../..');
/** The README's quick-start job. */
const README_IMAGE = path.join(REPO, 'docs', 'examples', 'start.png');
const README_PROMPT = 'a red circle moves to the right on a yellow background';

const tmp = await mkdtemp(path.join(os.tmpdir(), 'fp-default-model-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));

/** Mean |ΔRGB| the background may change by in any frame. Measured on the README job: the default
 *  model 15.9, the seeded weights 61.2. */
const MAX_BACKGROUND_DIFF = 30;

/** Mean |ΔRGB| (0–255) between two frames over the pixels of `region` (x0, x1, y0, y1: a half-open box). */
function meanAbsDiff(a: Uint8Array, b: Uint8Array, width: number, [x0, x1, y0, y1]: readonly number[]): number {
  let sum = 0, n = 0;
  for (let y = y0!; y < y1!; y++) for (let x = x0!; x < x1!; x++) for (let k = 0; k < 3; k++) {
    const i = 3 * (y * width + x) + k;
    sum += Math.abs(a[i]! - b[i]!);
    n++;
  }
  return sum / n;
}

/** Mean RGB over a box. */
function meanRgb(f: Uint8Array, width: number, [x0, x1, y0, y1]: readonly number[]): number[] {
  const m = [0, 0, 0];
  let n = 0;
  for (let y = y0!; y < y1!; y++) for (let x = x0!; x < x1!; x++) {
    for (let k = 0; k < 3; k++) m[k]! += f[3 * (y * width + x) + k]!;
    n++;
  }
  return m.map((v) => v / n);
}

async function readmeJob(bundle: LoadedBundle, name: string): Promise<FrameSet> {
  const sessions = await openSessions(bundle);
  try {
    const spec = resolveJobSpec({ imagePath: README_IMAGE, prompt: README_PROMPT, seconds: 145 / 30, seed: 31337 }, bundle.manifest, bundle.manifest.name);
    const out = await generateVideo(spec, { bundle, sessions, partials: false, out: path.join(tmp, `${name}.mp4`) });
    return await decodeVideoRgb(out);
  } finally {
    await sessions.release();
  }
}

// In the 96×64 bucket the start picture's red circle sits around x = 29, y = 22 (radius ≈ 9 px):
// the right half is background only; the circle's box is where it starts.
const BACKGROUND = [56, 96, 0, 64] as const;
const CIRCLE = [22, 36, 15, 29] as const;

/** Per video: the worst background change (any frame vs frame 0) and the circle box's mean colour at the end. */
function sceneKept(v: FrameSet) {
  const backgroundDiff = Math.max(...v.frames.map((f) => meanAbsDiff(f, v.frames[0]!, v.width, BACKGROUND)));
  const [r, g, b] = meanRgb(v.frames.at(-1)!, v.width, CIRCLE);
  const [br, bg] = meanRgb(v.frames.at(-1)!, v.width, BACKGROUND);
  // Redder than the (yellow) background by a margin: the red − green gap, box vs background
  // (measured at the README job's last frame: 26 vs 9 for the default model; 200 vs ≈ 40 at the start).
  return { backgroundDiff, circleEnd: [r!, g!, b!], backgroundEnd: [br!, bg!], reddish: r! - g! > br! - bg! + 10 };
}

describe('the default model keeps the README scene', () => {
  it('the background stays the start picture\'s and the circle area stays reddish; the seeded weights do not', async () => {
    const video = await readmeJob(await loadBundle(DEFAULT_BUNDLE_DIR, { verify: 'cached' }), 'default');
    expect(video.width).toBe(96);
    expect(video.frames.length).toBe(145);
    const start = sceneKept({ ...video, frames: [video.frames[0]!] });
    expect(start.reddish, 'the start frame has the red circle in the box').toBe(true);
    const trained = sceneKept(video);
    console.log(`default model, README job: background max mean |ΔRGB| ${trained.backgroundDiff.toFixed(1)}, circle box at the end ${trained.circleEnd.map((c) => c.toFixed(0)).join(',')}, background R,G ${trained.backgroundEnd.map((c) => c.toFixed(0)).join(',')}`);
    expect(trained.backgroundDiff).toBeLessThan(MAX_BACKGROUND_DIFF);
    expect(trained.reddish).toBe(true);

    const seeded = await loadBundle((await makeSeededBundle({ outDir: path.join(tmp, 'seeded') })).dir, { verify: 'cached' });
    const noise = sceneKept(await readmeJob(seeded, 'seeded'));
    console.log(`seeded weights, README job: background max mean |ΔRGB| ${noise.backgroundDiff.toFixed(1)}, circle box at the end ${noise.circleEnd.map((c) => c.toFixed(0)).join(',')}`);
    expect(noise.backgroundDiff < MAX_BACKGROUND_DIFF && noise.reddish, 'the seeded (random) weights must fail the same checks, or the checks prove nothing').toBe(false);
  }, 120_000);
});
