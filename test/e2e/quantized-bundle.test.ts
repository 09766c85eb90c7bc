// int8/int4 bundles end to end on the CPU (issue 14 item 1): `framepack models import --dtype int4`
// through the real CLI (child process) on the default model's weights in the official layout, what
// `models ls` shows, and int8/int4 builds of the default model running a real `generate --local`
// job whose frames stay close to the fp32 bundle's (per-frame PSNR; the README-job figures are in
// docs/bundles.md, from `npm run bench -- quant`).
import { afterAll, describe, expect, it } from 'vitest';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { componentDefinitions } from '../../daemon/models/bundle/definitions.js';
import type { Manifest } from '../../daemon/models/bundle/manifest.js';
import { loadBundle } from '../../daemon/models/bundle/load-bundle.js';
import { decodeModel } from '../../daemon/onnx/onnx-proto.js';
import { defaultBundleOfficialOptions, writeTinyOfficialCheckpoints } from '../../daemon/models/manage/tiny-official.js';
import { makeDefaultBundle } from '../../scripts/make-default-bundle.js';
import { quantizationFor } from '../../daemon/models/bundle/quantization.js';
import { perFramePsnr, runReadmeJob } from '../../scripts/bench/quant-bench.js';
import { REPO_MODELS_DIR } from '../../daemon/engine/pipeline/model-location.js';
import { createCliHarness } from '../helpers/cli-harness.js';

const { dir, framepack } = await createCliHarness('fp-e2e-quant-');
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const REPO_DEFAULT = path.join(REPO_MODELS_DIR, 'framepack-tiny');
// Minimum per-frame PSNR against the fp32 video (1 s, 3 steps); measured 43.3 dB (int8) and
// 39.4 dB (int4) at block 32. The README job's figures (5 s, 25 steps) are in docs/bundles.md.
const PSNR_INT8_MIN_DB = 38;
const PSNR_INT4_MIN_DB = 33;
const opTypes = async (file: string) => ((decodeModel(await readFile(file)) as any).graph.node as { opType: string }[]).map((n) => n.opType);

describe('quantised bundles (e2e)', () => {
  it('models import --dtype int4 --block-size 16 through the real CLI; models ls shows it, the loader accepts it; a bad block size exits 2', async () => {
    const src = path.join(dir, 'official');
    await writeTinyOfficialCheckpoints(src, { definitions: componentDefinitions, ...await defaultBundleOfficialOptions() });
    const env = { FRAMEPACK_MODELS_DIR: path.join(dir, 'models') };
    const r = await framepack(['models', 'import', '--from', src, '--dtype', 'int4', '--block-size', '16', '--name', 'tiny-int4'], env);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 0, stdout: `imported tiny-int4 (inverted, float32, int4 weights (block 16)) into ${path.join(dir, 'models', 'tiny-int4')}\n` });
    const manifest = JSON.parse(await readFile(path.join(dir, 'models', 'tiny-int4', 'manifest.json'), 'utf8')) as Manifest;
    const tq = manifest.components.transformer.quantization!;
    expect(tq).toMatchObject({ method: 'MatMulNBits', bits: 4, blockSize: 16, symmetric: false });
    expect(manifest.components.text_encoder.quantization).toMatchObject({ bits: 4, blockSize: 16 });
    expect(manifest.components.vae.quantization).toBeUndefined();
    expect(manifest.components.image_encoder.quantization).toBeUndefined();
    // The blocks graph holds the quantised Linears; the pre/post graphs (embedders, proj_out) do not.
    const blocks = await opTypes(path.join(dir, 'models', 'tiny-int4', 'transformer', 'transformer_blocks.onnx'));
    expect(blocks.filter((t) => t === 'MatMulNBits').length).toBeGreaterThan(0);
    expect((await opTypes(path.join(dir, 'models', 'tiny-int4', 'transformer', 'transformer_post.onnx'))).includes('MatMulNBits')).toBe(false);
    const ls = await framepack(['models', 'ls'], env);
    expect(ls.stdout).toMatch(/^tiny-int4\s+[\d.]+ MB {2}inverted, float32, int4 weights \(block 16\)/m);
    // The loader accepts it: every file hashed, and its transformer blocks graph runs (job below).
    expect((await loadBundle(path.join(dir, 'models', 'tiny-int4'), { verify: 'full' })).verification.filesHashed).toBe(12);
    const bad = await framepack(['models', 'import', '--from', src, '--dtype', 'int4', '--block-size', '24'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--block-size must be a power of two ≥ 16/);
  }, 120_000);

  it('int8 and int4 builds of the default model run a job end to end; frames stay close to fp32\'s', async () => {
    const ref = (await runReadmeJob(REPO_DEFAULT, path.join(dir, 'fp32.mp4'), 1, 3)).video;
    const psnr: Record<string, number> = {};
    for (const format of ['int8', 'int4'] as const) {
      const bundleDir = path.join(dir, `bundle-${format}`);
      await makeDefaultBundle({ outDir: bundleDir, quantization: quantizationFor(format), name: `framepack-tiny-${format}` });
      const { video } = await runReadmeJob(bundleDir, path.join(dir, `${format}.mp4`), 1, 3);
      expect(video.frames.length).toBe(ref.frames.length);
      psnr[format] = perFramePsnr(ref, video).summary.min;
    }
    // Quantised (not identical), int8 closer than int4.
    expect(psnr.int8).toBeLessThan(99);
    expect(psnr.int4).toBeLessThan(psnr.int8!);
    expect(psnr.int8).toBeGreaterThan(PSNR_INT8_MIN_DB);
    expect(psnr.int4).toBeGreaterThan(PSNR_INT4_MIN_DB);
  }, 120_000);
});
