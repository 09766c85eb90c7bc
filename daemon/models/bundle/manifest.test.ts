import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describeManifestIssues, manifestSchema, type Manifest } from './manifest.js';
import { buildFakeBundle } from '../../../test/bundle/fake-definitions.js';

let good: Manifest;
beforeAll(async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fp-manifest-'));
  try {
    good = (await buildFakeBundle(path.join(dir, 'b'))).manifest;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** Validates a mutated copy of the good manifest and returns its problems, one line each. */
function problems(mutate: (m: any) => void): string[] {
  const m = structuredClone(good) as any;
  mutate(m);
  const r = manifestSchema.safeParse(m);
  return r.success ? [] : describeManifestIssues(r.error);
}

describe('manifestSchema', () => {
  it('accepts a built manifest and round-trips it through JSON', () => {
    expect(manifestSchema.parse(JSON.parse(JSON.stringify(good)))).toEqual(good);
    expect(good.latent).toEqual({ channels: 16, spatialCompression: 8, temporalCompression: 4, scalingFactor: 0.476986 });
    expect(good.contextKernels).toEqual([[1, 2, 2], [2, 4, 4], [4, 8, 8]]);
    expect(good.defaults).toEqual({ steps: 25, gs: 10, cfg: 1, rs: 0, windowSize: 9, fps: 30, shift: null, teacache: { enabled: true, threshold: 0.15 } });
  });

  it('reads a component without `attention` (bundles built before the option) as explicit, and refuses other forms', () => {
    const old = structuredClone(good) as any;
    delete old.components.transformer.attention;
    expect(manifestSchema.parse(old).components.transformer.attention).toBe('explicit');
    expect(problems((m) => { m.components.vae.attention = 'flash'; }).join('\n')).toMatch(/components\.vae\.attention/);
  });

  it.each([
    ['formatVersion', (m: any) => { m.formatVersion = 2; }],
    ['name', (m: any) => { m.name = 'Has Spaces'; }],
    ['variant', (m: any) => { m.variant = 'forward'; }],
    ['latent.channels', (m: any) => { m.latent.channels = 0; }],
    ['contextKernels', (m: any) => { m.contextKernels.pop(); }],
    ['text.llamaTemplate', (m: any) => { m.text.llamaTemplate = 'no slot'; }],
    ['text.paddedLength', (m: any) => { m.text.paddedLength = 1; }],
    ['imageEncoder.std.1', (m: any) => { m.imageEncoder.std[1] = 0; }],
    ['buckets.0', (m: any) => { m.buckets[0].height = 50; }],
    ['defaultBucket', (m: any) => { m.defaultBucket = { height: 16, width: 16 }; }],
    ['defaults.steps', (m: any) => { m.defaults.steps = 0; }],
    ['defaults.teacache', (m: any) => { delete m.defaults.teacache; }],
    ['components.vae.files.0.sha256', (m: any) => { m.components.vae.files[0].sha256 = 'A'.repeat(64); }],
    ['components.vae.files.0.bytes', (m: any) => { m.components.vae.files[0].bytes = -1; }],
    ['components.vae.files.0.path', (m: any) => { m.components.vae.files[0].path = '../escape.onnx'; }],
    ['components.transformer.files.0.path', (m: any) => { m.components.transformer.files[0].path = '/abs/x.onnx'; }],
    ['components.image_encoder.weightDtype', (m: any) => { m.components.image_encoder.weightDtype = 'int8'; }],
    ['components.text_encoder', (m: any) => { delete m.components.text_encoder; }],
    ['components.tokenizer.files', (m: any) => { m.components.tokenizer.files = []; }],
    ['components.vae.graphs.vae_decoder.file', (m: any) => { m.components.vae.graphs.vae_decoder.file = 'vae/other.onnx'; }],
    ['components.tokenizer_2.files.0.path', (m: any) => { m.components.tokenizer_2.files[0].path = m.components.vae.files[0].path; }],
  ])('rejects a bad %s, naming the field', (field, mutate) => {
    const p = problems(mutate);
    expect(p.length).toBeGreaterThan(0);
    expect(p.some((line) => line.startsWith(`${field}:`))).toBe(true);
  });
});
