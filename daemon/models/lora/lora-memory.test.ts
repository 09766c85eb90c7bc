import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBundle } from '../bundle/load-bundle.js';
import { REPO_MODELS_DIR } from '../../engine/pipeline/model-location.js';
import { ModelProto } from '../../onnx/onnx-proto.js';
import { testTempDir } from '../../../test/helpers/temp-dir.js';
import { jobComponentBytes } from '../../residency/job-memory.js';
import { assertJobFitsMemory, jobMemoryPlan, type MemoryAdmissionDeps } from '../../residency/memory-admission.js';
import { checkLoras, loraVariant } from './lora-variant.js';
import { loraBranchBytes } from './lora-memory.js';

const FIXTURE = path.resolve(import.meta.dirname, '../../../test/fixtures/lora/blue-kohya.safetensors');
const bundle = await loadBundle(path.join(REPO_MODELS_DIR, 'framepack-tiny'), { verify: 'none' });
const manifest = bundle.manifest;

/** Numbers in the LoRA initializers a built variant's graphs really carry. */
async function patchedBranchElements(files: string[]): Promise<number> {
  let n = 0;
  for (const f of files) {
    const m = ModelProto.decode(await readFile(f)) as unknown as { graph: { initializer: { name: string; dims: (number | { toNumber(): number })[] }[] } };
    for (const t of m.graph.initializer) {
      if (t.name.endsWith('.lora_down_t') || t.name.endsWith('.lora_up_t')) n += t.dims.reduce<number>((a, d) => a * Number(d), 1);
    }
  }
  return n;
}

describe('what a job\'s LoRAs add to the memory plan', () => {
  it('counts, from the headers alone, exactly the branch numbers the patched graphs carry (the fixture splits fused qkv into three Linears)', async () => {
    const [checked] = await checkLoras({ manifest }, [{ path: FIXTURE, strength: 1 }]);
    const v = await loraVariant(bundle, [{ path: FIXTURE, strength: 1 }], testTempDir('fp-lora-mem-'));
    const carried = await patchedBranchElements(v.patchedGraphs.map((g) => v.files[g]));
    expect(carried).toBeGreaterThan(0);
    expect(checked!.branchElements).toBe(carried);
    // The default bundle stores fp32 weights: 4 bytes a number; two LoRAs count twice.
    expect(manifest.components.transformer.weightDtype).toBe('float32');
    expect(await loraBranchBytes(manifest, [{ path: FIXTURE, strength: 1 }, { path: FIXTURE, strength: 0.5 }])).toBe(2 * 4 * carried);
    // A file that cannot be read counts nothing (submit refuses it first), the others still count.
    expect(await loraBranchBytes(manifest, [{ path: '/nonexistent/x.safetensors', strength: 1 }, { path: FIXTURE, strength: 1 }])).toBe(4 * carried);
    expect(await loraBranchBytes(manifest, undefined)).toBe(0);
  });

  it('adds them to the transformer\'s weights and to its streamed blocks', () => {
    const bucket = { width: 96, height: 64 };
    const plain = jobComponentBytes(manifest, bucket, 9);
    const withLora = jobComponentBytes(manifest, bucket, 9, undefined, 1_000_000);
    expect(withLora.components.transformer.weightBytes - plain.components.transformer.weightBytes).toBe(1_000_000);
    expect(withLora.transformerBlocks!.weightBytes - plain.transformerBlocks!.weightBytes).toBe(1_000_000);
    expect(withLora.components.vae).toEqual(plain.components.vae);
  });

  it('submit refuses a job that fits without its LoRAs but not with them, with the numbers', async () => {
    const image = path.resolve('docs/examples/start.png');
    const deps = (freeBytes: number): MemoryAdmissionDeps => ({
      manifest: async () => manifest, device: async () => ({ device: 'cpu', totalBytes: freeBytes, freeBytes }), heldBytes: () => 0, preserveBytes: 0, deviceMemoryBytes: 0,
    });
    const loras = [{ path: FIXTURE, strength: 1 }];
    const lora = await loraBranchBytes(manifest, loras);
    // The least memory the job runs in without LoRAs (the smallest executable plan's peak).
    const smallest = (await jobMemoryPlan(deps(0), { image }, 'framepack-tiny')).decision;
    expect(smallest.fits).toBe(false);
    const floor = smallest.fits ? 0 : smallest.executableBest!.peakBytes;
    await expect(assertJobFitsMemory(deps(floor), { image }, 'framepack-tiny')).resolves.toMatchObject({ decision: { fits: true } });
    await expect(assertJobFitsMemory(deps(floor), { image, loras }, 'framepack-tiny')).rejects.toMatchObject({ field: 'memory', code: 'OUT_OF_MEMORY' });
    const withLoras = await jobMemoryPlan(deps(floor + lora), { image, loras }, 'framepack-tiny');
    expect(withLoras.decision.fits).toBe(true);
  });
});
