import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { softAppend, videoToRgbFrames, type PixelVideo } from '../../media/pixels.js';
import { planJob, type JobPlan, type SectionMode } from '../section-plan.js';
import { heldFramesAfter, stitchSection } from './pixel-window.js';
import { PixelStore } from './pixel-store.js';
import { testTempDir } from '../../../test/helpers/temp-dir.js';

const H = 4, W = 6;

/** A decoded section of `frames` frames with values over [−1.2, 1.2] (clamped ones included), seeded. */
function decoded(frames: number, seed: number): PixelVideo {
  let x = seed * 2654435761 >>> 0;
  const data = new Float32Array(3 * frames * H * W);
  for (let i = 0; i < data.length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    data[i] = (x / 2 ** 32) * 2.4 - 1.2;
  }
  return { frames, height: H, width: W, data };
}

/** The whole-video path as the loop had it: soft-append onto everything so far, then rgb24. */
function wholeVideoBytes(sections: PixelVideo[], plan: JobPlan): Buffer[] {
  let video: PixelVideo | null = null;
  return sections.map((current, i) => {
    const d = plan.sections[i]!.decode;
    video = !video || d.overlapFrames === 0 ? current : d.newPixelsFirst ? softAppend(current, video, d.overlapFrames) : softAppend(video, current, d.overlapFrames);
    return Buffer.concat([...videoToRgbFrames(video)]);
  });
}

async function storeBytes(store: PixelStore): Promise<Buffer> {
  const out: Uint8Array[] = [];
  for await (const f of store.frames()) out.push(f);
  return Buffer.concat(out);
}

const planFor = (mode: SectionMode, sections: number, ws = 9) => planJob({ mode, seconds: (sections * 4 * ws) / 30, latentHeight: 8, latentWidth: 12, latentWindowSize: ws });

describe('pixel window', () => {
  it('holds the next overlap after every section but the last', () => {
    const plan = planFor('inverted', 3);
    expect([0, 1, 2].map((k) => heldFramesAfter(plan, k))).toEqual([33, 33, 0]);
  });

  it('splits at the start (inverted) or the end (f1)', () => {
    const v = decoded(10, 1);
    const inv = stitchSection(null, v, { overlapFrames: 0, newPixelsFirst: true }, 3, 'start');
    expect([inv.held!.frames, inv.final!.frames]).toEqual([3, 7]);
    expect(inv.held!.data.subarray(0, H * W)).toEqual(v.data.subarray(0, H * W));
    const f1 = stitchSection(null, v, { overlapFrames: 0, newPixelsFirst: false }, 3, 'end');
    expect([f1.final!.frames, f1.held!.frames]).toEqual([7, 3]);
    expect(stitchSection(null, v, { overlapFrames: 0, newPixelsFirst: false }, 0, 'end')).toEqual({ held: null, final: v });
    expect(() => stitchSection(null, v, { overlapFrames: 0, newPixelsFirst: true }, 11, 'start')).toThrow('cannot hold 11 of 10');
  });
});

describe('pixel store', () => {
  // Against the whole-video path, after every section (the partial videos) and at the end.
  it.each([
    ['inverted', 1], ['inverted', 2], ['inverted', 3], ['inverted', 6],
    ['f1', 1], ['f1', 2], ['f1', 5], ['vanilla', 3],
  ] as const)('%s, %i sections: the same rgb24 frames bit for bit, holding at most one overlap', async (mode, count) => {
    const plan = planFor(mode, count);
    const sections = plan.sections.map((s, i) => decoded(s.decode.decodedFrames, 100 * count + i));
    const expected = wholeVideoBytes(sections, plan);
    const dir = testTempDir('fp-store-');
    const store = new PixelStore(plan, dir);
    for (const [i, s] of plan.sections.entries()) {
      await store.add(s, sections[i]!);
      expect(store.totalFrames).toBe(s.decode.totalFrames);
      expect(store.heldFrames).toBe(heldFramesAfter(plan, i));
      expect((await storeBytes(store)).equals(expected[i]!), `after section ${i + 1}`).toBe(true);
    }
    expect(store.heldFrames).toBe(0);
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('continues from a saved state exactly, also from an old whole-video state', async () => {
    for (const mode of ['inverted', 'f1'] as const) {
      const plan = planFor(mode, 4);
      const sections = plan.sections.map((s, i) => decoded(s.decode.decodedFrames, 7 + i));
      const expected = wholeVideoBytes(sections, plan).at(-1)!;
      const dir = testTempDir('fp-store-');
      const first = new PixelStore(plan, dir);
      await first.add(plan.sections[0]!, sections[0]!);
      await first.add(plan.sections[1]!, sections[1]!);
      const resumed = new PixelStore(plan, dir, first.state());
      for (const k of [2, 3]) await resumed.add(plan.sections[k]!, sections[k]!);
      expect((await storeBytes(resumed)).equals(expected), mode).toBe(true);
      // A checkpoint of an older version: the whole float video after section 2, no chunks.
      let whole = sections[0]!;
      const d = plan.sections[1]!.decode;
      whole = d.newPixelsFirst ? softAppend(sections[1]!, whole, d.overlapFrames) : softAppend(whole, sections[1]!, d.overlapFrames);
      const old = new PixelStore(plan, testTempDir('fp-store-'), { held: whole, chunks: [] });
      for (const k of [2, 3]) await old.add(plan.sections[k]!, sections[k]!);
      expect((await storeBytes(old)).equals(expected), `${mode} from a whole-video state`).toBe(true);
    }
  });
});
