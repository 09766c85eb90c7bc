import { describe, expect, it } from 'vitest';
import { BUCKETS_640, nearestBucket, resizeCropPlan } from './buckets.js';

const hw = (b: { heightPx: number; widthPx: number }) => [b.heightPx, b.widthPx];

describe('BUCKETS_640', () => {
  it('is the official table in order, with the latent sizes of FRAMEPACK.md §3.1', () => {
    expect(BUCKETS_640.map(hw)).toEqual([
      [416, 960], [448, 864], [480, 832], [512, 768], [544, 704], [576, 672], [608, 640],
      [640, 608], [672, 576], [704, 544], [768, 512], [832, 480], [864, 448], [960, 416],
    ]);
    expect(BUCKETS_640.map((b) => [b.heightPx / 8, b.widthPx / 8])[0]).toEqual([52, 120]);
    expect(BUCKETS_640.map((b) => [b.heightPx / 8, b.widthPx / 8])[7]).toEqual([80, 76]);
  });
});

describe('nearestBucket', () => {
  it('a square image ties between 608x640 and 640x608 and takes the later one', () => {
    for (const side of [1, 512, 1000, 1024, 4096]) expect(hw(nearestBucket(side, side))).toEqual([640, 608]);
  });
  it('ties between other neighbours also go to the later bucket', () => {
    // (h, w) pairs whose metric is equal for two table entries (checked in Python).
    expect(hw(nearestBucket(9, 19))).toEqual([448, 864]); // tie 416x960 / 448x864
    expect(hw(nearestBucket(19, 9))).toEqual([960, 416]); // tie 864x448 / 960x416
    expect(hw(nearestBucket(29, 53))).toEqual([480, 832]); // tie 448x864 / 480x832
    expect(hw(nearestBucket(37, 41))).toEqual([608, 640]); // tie 576x672 / 608x640
  });
  it('picks the nearest aspect ratio', () => {
    expect(hw(nearestBucket(1080, 1920))).toEqual([480, 832]);
    expect(hw(nearestBucket(1920, 1080))).toEqual([832, 480]);
    expect(hw(nearestBucket(600, 800))).toEqual([544, 704]);
    expect(hw(nearestBucket(3000, 4000))).toEqual([544, 704]);
    expect(hw(nearestBucket(567, 1234))).toEqual([416, 960]);
    expect(hw(nearestBucket(777, 333))).toEqual([960, 416]);
    expect(hw(nearestBucket(640, 608))).toEqual([640, 608]);
    expect(hw(nearestBucket(608, 640))).toEqual([608, 640]);
  });
});

describe('resizeCropPlan', () => {
  it('leaves an image of the bucket size alone', () => {
    const p = resizeCropPlan(608, 640, { heightPx: 640, widthPx: 608 });
    expect(p.resize).toBe(false);
    expect(p.cropBox).toEqual({ left: 0, top: 0, right: 608, bottom: 640 });
  });
  it('1920x1080 → 853x480, fractional box 10.5..842.5 rounded half-even to 10..842', () => {
    const p = resizeCropPlan(1920, 1080, { heightPx: 480, widthPx: 832 });
    expect([p.resizedWidthPx, p.resizedHeightPx]).toEqual([853, 480]);
    expect(p.requestedBox).toEqual({ left: 10.5, top: 0, right: 842.5, bottom: 480 });
    expect(p.cropBox).toEqual({ left: 10, top: 0, right: 842, bottom: 480 });
  });
  it('square → 640x640, crop 16..624', () => {
    const p = resizeCropPlan(1000, 1000, { heightPx: 640, widthPx: 608 });
    expect([p.resizedWidthPx, p.resizedHeightPx, p.scale]).toEqual([640, 640, 0.64]);
    expect(p.cropBox).toEqual({ left: 16, top: 0, right: 624, bottom: 640 });
  });
  it('rounds a resized size that lands on .5 half-even (566.5 → 566, 722.5 → 722)', () => {
    const a = resizeCropPlan(103, 128, { heightPx: 704, widthPx: 544 });
    expect([a.scale, a.resizedWidthPx, a.resizedHeightPx]).toEqual([5.5, 566, 704]);
    expect(a.cropBox).toEqual({ left: 11, top: 0, right: 555, bottom: 704 });
    const b = resizeCropPlan(128, 170, { heightPx: 704, widthPx: 544 });
    expect([b.resizedWidthPx, b.resizedHeightPx]).toEqual([544, 722]);
    expect(b.cropBox).toEqual({ left: 0, top: 9, right: 544, bottom: 713 });
  });
  it('half-even on both box edges keeps exactly W x H pixels', () => {
    const p = resizeCropPlan(333, 777, { heightPx: 960, widthPx: 416 });
    expect([p.resizedWidthPx, p.resizedHeightPx]).toEqual([416, 971]);
    expect(p.cropBox).toEqual({ left: 0, top: 6, right: 416, bottom: 966 });
    for (const [w, h] of [[1920, 1080], [1080, 1920], [800, 600], [1234, 567], [333, 777], [101, 128], [4000, 3000]] as const) {
      const bucket = nearestBucket(h, w);
      const c = resizeCropPlan(w, h, bucket).cropBox;
      expect([c.right - c.left, c.bottom - c.top]).toEqual([bucket.widthPx, bucket.heightPx]);
    }
  });
});
