// End-to-end: the build-bundle CLI over fake components (safetensors in, bundle out), loading the
// result with full verification, running every graph with ORT, determinism, fp16, and the CLI's
// refusals and exit codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, main, parseBuildArgs } from '../../scripts/build-bundle.js';
import { writeSeededWeights } from '../../scripts/seeded-bundle.js';
import { loadBundle } from '../../daemon/models/bundle/load-bundle.js';
import { MODEL_COMPONENT_IDS } from '../../daemon/models/bundle/manifest.js';
import { runOnce, tensorF32 } from '../../daemon/onnx/run.js';
import { buildFakeBundle, fakeDefinitions } from './fake-definitions.js';

const defs = fakeDefinitions();
let dir: string;
let weightsDir: string;
let args: (out: string, extra?: string[]) => string[];

async function cli(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, defs, (s) => { stdout += s; return true; }, (s) => { stderr += s; return true; });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fp-build-'));
  weightsDir = path.join(dir, 'weights');
  await mkdir(weightsDir);
  const weights = await writeSeededWeights(weightsDir, defs, 11);
  await writeFile(path.join(dir, 'config.json'), JSON.stringify({ name: 'fake-cli', preset: 'tiny', variant: 'f1', defaults: { steps: 4 } }));
  await mkdir(path.join(dir, 'tok'));
  await writeFile(path.join(dir, 'tok', 'llama.json'), '{"model":{}}');
  await writeFile(path.join(dir, 'tok', 'clip.json'), '{"model":{"x":1}}');
  args = (out, extra = []) => [
    '--config', path.join(dir, 'config.json'),
    ...MODEL_COMPONENT_IDS.flatMap((id) => ['--weights', `${id}=${weights[id]}`]),
    '--tokenizer', path.join(dir, 'tok', 'llama.json'), '--tokenizer-2', path.join(dir, 'tok', 'clip.json'),
    '--out', out, ...extra,
  ];
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('build-bundle CLI (fake components)', () => {
  it('builds a bundle that loads with full verification and whose graphs all run', async () => {
    const out = path.join(dir, 'out');
    const r = await cli(args(out));
    expect(r.stderr).toContain('[7/7] tokenizer_2: done');
    expect(r.code).toBe(EXIT_OK);
    expect(r.stdout).toMatch(/built fake-cli in .*: 8 files/);
    const b = await loadBundle(out, { verify: 'full' });
    expect(b.manifest.variant).toBe('f1');
    expect(b.manifest.defaults.steps).toBe(4);
    expect(Object.keys(b.components.vae.graphs).sort()).toEqual(['vae_decoder', 'vae_encoder']);
    for (const id of MODEL_COMPONENT_IDS) {
      const c = b.manifest.components[id];
      expect(c.parameterCount).toBe(id === 'vae' ? 2 * (16 + 4) : 16 + 4);
      expect(c.memory.weightBytes).toBe(4 * c.parameterCount);
      expect(c.estimatedResidentBytes).toBe(c.memory.weightBytes + c.memory.activationBytes);
      expect(c.attention).toBe('explicit'); // fp32 builds default to the explicit form
      for (const [stem, graph] of Object.entries(c.graphs)) {
        expect(graph.inputs).toEqual([{ name: 'x', dtype: 'float32', dims: ['tokens', 4] }]);
        const res = await runOnce(b.components[id].graphs[stem]!, { x: tensorF32(new Float32Array(12).fill(0.5), [3, 4]) });
        expect(res.y!.dims).toEqual([3, 4]);
        expect(res.y!.data.every(Number.isFinite)).toBe(true);
      }
    }
    expect(b.manifest.components.tokenizer.config).toEqual({ family: 'llama', files: ['llama.json'] });
  });

  it('is deterministic: the same inputs give the same bytes', async () => {
    const a = await buildFakeBundle(path.join(dir, 'det-a'));
    const b = await buildFakeBundle(path.join(dir, 'det-b'));
    expect(JSON.stringify(b.manifest)).toBe(JSON.stringify(a.manifest));
    expect(await readFile(path.join(dir, 'det-b', 'manifest.json'), 'utf8')).toBe(await readFile(path.join(dir, 'det-a', 'manifest.json'), 'utf8'));
  });

  it('rebuilds over an existing bundle, removing stale component files', async () => {
    const out = path.join(dir, 'rebuild');
    await buildFakeBundle(out);
    await writeFile(path.join(out, 'vae', 'stale.onnx'), 'old');
    await buildFakeBundle(out, { weightDtype: 'float16' });
    expect((await readdir(path.join(out, 'vae'))).sort()).toEqual(['vae_decoder.onnx', 'vae_encoder.onnx']);
    const b = await loadBundle(out, { verify: 'full' });
    expect(b.manifest.components.vae.weightDtype).toBe('float16');
    expect(b.manifest.components.vae.attention).toBe('fused'); // fp16 (GPU) builds default to fused
    expect(b.manifest.components.vae.memory.weightBytes).toBe(2 * 40);
  });

  it('records --attention in every component of the manifest', async () => {
    const out = path.join(dir, 'fused');
    const r = await cli(args(out, ['--attention', 'fused']));
    expect(r.code, r.stderr).toBe(EXIT_OK);
    const b = await loadBundle(out, { verify: 'full' });
    for (const id of MODEL_COMPONENT_IDS) expect(b.manifest.components[id].attention).toBe('fused');
  });

  it('refuses to write into a non-empty folder that is not a bundle', async () => {
    const out = path.join(dir, 'occupied');
    await mkdir(out);
    await writeFile(path.join(out, 'precious.txt'), 'keep me');
    const r = await cli(args(out));
    expect(r.code).toBe(EXIT_FAILED);
    expect(r.stderr).toContain('not empty and holds no bundle');
    expect(await readFile(path.join(out, 'precious.txt'), 'utf8')).toBe('keep me');
  });

  it('reports weights that do not fit the architecture, naming the tensor', async () => {
    const all = args(path.join(dir, 'mismatch'));
    // Give the VAE the transformer's weights: 'encoder.proj.weight' is then missing.
    const i = all.findIndex((a) => a.startsWith('vae='));
    all[i] = `vae=${path.join(weightsDir, 'transformer.safetensors')}`;
    const r = await cli(all);
    expect(r.code).toBe(EXIT_FAILED);
    expect(r.stderr).toContain("missing tensor 'encoder.proj.weight'");
  });

  it.each([
    [['--help'], EXIT_OK, /Usage: npm run build-bundle/],
    [['--bogus'], EXIT_USAGE, /Unknown option '--bogus'/],
    [['--config', 'x.json'], EXIT_USAGE, /missing --tokenizer/],
  ])('%j exits %i', async (argv, code, pattern) => {
    const r = await cli(argv);
    expect(r.code).toBe(code);
    expect(r.stdout + r.stderr).toMatch(pattern);
  });

  it('--dtype int8|int4 [--block-size N] [--compute fp16]: MatMulNBits weights, compute fp32 unless told', () => {
    const base = ['--config', 'c.json', '--tokenizer', 't', '--tokenizer-2', 't', '--out', 'o', ...MODEL_COMPONENT_IDS.map((id) => `--weights=${id}=w`)];
    expect(parseBuildArgs([...base, '--dtype', 'int4'])).toMatchObject({ dtype: 'float32', quantization: { bits: 4, blockSize: 32 } });
    expect(parseBuildArgs([...base, '--dtype', 'int8', '--block-size', '128', '--compute', 'fp16'])).toMatchObject({ dtype: 'float16', quantization: { bits: 8, blockSize: 128 } });
    expect(parseBuildArgs([...base, '--dtype', 'fp16'])).not.toHaveProperty('quantization');
  });

  it('exits 2 with one line for bad inputs', async () => {
    const cases: [string[], RegExp][] = [
      [args(path.join(dir, 'u1'), ['--dtype', 'int3']), /--dtype must be one of fp32, fp16, int8, int4, not 'int3'/],
      [args(path.join(dir, 'u1b'), ['--dtype', 'int4', '--block-size', '48']), /--block-size must be a power of two ≥ 16/],
      [args(path.join(dir, 'u1c'), ['--dtype', 'fp16', '--block-size', '32']), /--block-size and --compute apply to --dtype int8 or int4 only/],
      [args(path.join(dir, 'u1d'), ['--dtype', 'int8', '--compute', 'bf16']), /--compute must be fp32 or fp16/],
      [args(path.join(dir, 'u1a'), ['--attention', 'flash']), /--attention must be fused or explicit, not 'flash'/],
      [args(path.join(dir, 'u2'), ['--weights', 'unet=x']), /unknown component 'unet'/],
      [args(path.join(dir, 'u3'), ['--weights', 'vae=x']), /--weights vae given twice/],
      [args(path.join(dir, 'u4')).filter((a, i, all) => !a.startsWith('image_encoder=') && all[i + 1]?.startsWith('image_encoder=') !== true), /missing --weights for image_encoder/],
      [args(path.join(dir, 'u5')).map((a) => (a.startsWith('text_encoder=') ? 'text_encoder=/nonexistent.safetensors' : a)), /--weights text_encoder=\/nonexistent.safetensors: .*no such file/],
      [args(path.join(dir, 'u6')).map((a) => (a.endsWith('config.json') ? path.join(dir, 'nope.json') : a)), /--config .*nope.json: no such file/],
    ];
    for (const [argv, pattern] of cases) {
      const r = await cli(argv);
      expect(r.code, r.stderr).toBe(EXIT_USAGE);
      expect(r.stderr.split('\n')[0]).toMatch(pattern);
    }
    await writeFile(path.join(dir, 'bad-config.json'), JSON.stringify({ name: 'x', buckets: [{ height: 10, width: 16 }] }));
    const r = await cli(args(path.join(dir, 'u7')).map((a) => (a.endsWith('config.json') ? path.join(dir, 'bad-config.json') : a)));
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.stderr).toMatch(/bucket 10×16 is not a multiple of 16×16/);
  });
});
