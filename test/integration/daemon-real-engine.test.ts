// The real ONNX engine behind the daemon, with the default tiny bundle (models/framepack-tiny):
// one short job (1 s, 2 steps) through a real daemon process to job.succeeded, a warm second job
// that loads nothing, `ps` listing the five components, and the decoded-frame preview (frame.png ≤ 160×100).
import { existsSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectEvents, startDaemon, terminalsOf, type DaemonProcess } from '../helpers/daemon-harness.js';

let d: DaemonProcess;
let image: string;
beforeAll(async () => {
  d = await startDaemon({ env: { FRAMEPACK_ENGINE: 'onnx' } });
  image = path.join(d.base, 'start.png');
  const w = 96, h = 64;
  const rgb = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i++) rgb.set([(i * 7) % 256, (i * 13) % 256, (i * 29) % 256], i * 3);
  await sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).png().toFile(image);
});
afterAll(async () => d?.cleanup());

describe('daemon with the real engine and the tiny bundle', () => {
  it('generates a short video, then runs a second job warm', async () => {
    const c = await d.client();
    const col = await collectEvents(c);
    const spec = { image, prompt: 'a test', seconds: 1, steps: 2, seed: 7 };
    const first = await c.call('jobs.submit', spec);
    await col.until((ev) => terminalsOf(ev, first.jobId).length > 0, 120_000);
    const [term] = terminalsOf(col.events, first.jobId);
    expect(term, JSON.stringify(term)).toMatchObject({ event: 'job.succeeded' });
    const out = (term!.payload as { outputPath: string }).outputPath;
    expect(existsSync(out)).toBe(true);
    // The dashboard's large preview: one decoded frame per section, a PNG of at most 160×100.
    const frames = col.events.filter((e) => e.event === 'preview' && e.payload.jobId === first.jobId && e.payload.kind === 'frame');
    expect(frames.length).toBeGreaterThanOrEqual(1);
    const meta = await sharp((frames.at(-1)!.payload as { path: string }).path).metadata();
    expect([meta.format, meta.width! > 0 && meta.width! <= 160, meta.height! > 0 && meta.height! <= 100]).toEqual(['png', true, true]);
    expect(col.events.filter((e) => e.event === 'model.loaded')).toHaveLength(5);
    expect((await c.call('ps', {})).components.map((x) => x.component).sort()).toEqual(['image-encoder', 'text-encoder', 'text-encoder-2', 'transformer', 'vae']);

    const loadsBefore = col.events.filter((e) => e.event === 'model.loaded').length;
    const second = await c.call('jobs.submit', { ...spec, seed: 8 });
    await col.until((ev) => terminalsOf(ev, second.jobId).length > 0, 120_000);
    expect(terminalsOf(col.events, second.jobId)[0]!.event).toBe('job.succeeded');
    expect(col.events.filter((e) => e.event === 'model.loaded').length).toBe(loadsBefore);
  });

  it('cancels a running real job after its section (keeping the partial video) and at once', async () => {
    const c = await d.client();
    const col = await collectEvents(c);
    const spec = { image, prompt: 'two sections', seconds: 2, steps: 4, seed: 3 };
    const a = await c.call('jobs.submit', spec);
    await col.until((ev) => ev.some((e) => e.event === 'step' && e.payload.jobId === a.jobId), 60_000);
    await c.call('jobs.cancel', { jobId: a.jobId, when: 'after-section' });
    await col.until((ev) => terminalsOf(ev, a.jobId).length > 0, 60_000);
    const [term] = terminalsOf(col.events, a.jobId);
    expect(term).toMatchObject({ event: 'job.cancelled', payload: { when: 'after-section' } });
    expect(existsSync((term!.payload as { partialPath: string }).partialPath)).toBe(true);
    expect(col.events.filter((e) => e.event === 'section.done' && e.payload.jobId === a.jobId)).toHaveLength(1);

    const b = await c.call('jobs.submit', spec);
    await col.until((ev) => ev.some((e) => e.event === 'step' && e.payload.jobId === b.jobId), 60_000);
    await c.call('jobs.cancel', { jobId: b.jobId, when: 'now' });
    await col.until((ev) => terminalsOf(ev, b.jobId).length > 0, 60_000);
    expect(terminalsOf(col.events, b.jobId)).toMatchObject([{ event: 'job.cancelled', payload: { when: 'now' } }]);
    expect((await c.call('daemon.status', {})).queue.running).toBeNull();
  });
});
