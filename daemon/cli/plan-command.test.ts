import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { runPlanCommand } from './plan-command.js';
import { checkLoras } from '../models/lora/lora-variant.js';
import { readManifest } from '../models/bundle/load-bundle.js';
import { REPO_MODELS_DIR } from '../engine/pipeline/model-location.js';
import { fileTempDir } from '../../test/helpers/temp-dir.js';

const dir = fileTempDir('fp-plan-');
const image = path.join(dir, 'tall.png');
await sharp({ create: { width: 300, height: 800, channels: 3, background: '#336699' } }).png().toFile(image);
afterAll(() => rm(dir, { recursive: true, force: true }));

async function plan(args: string[]): Promise<string> {
  let text = '';
  const code = await runPlanCommand(args, { stdout: { write: (s: string) => { text += s; return true; } } as unknown as NodeJS.WritableStream });
  expect(code).toBe(0);
  return text;
}

describe('framepack plan', () => {
  it('prints the bucket, a row per section in generation order and the schedule', async () => {
    const text = await plan(['--image', image, '--prompt', 'a tall tower sways', '--seconds', '3']);
    const lines = text.split('\n');
    expect(lines[1]).toBe('bucket    48×128 (W×H) from a 300×800 image, resized to 48×128 and centre-cropped; 80 class (native)');
    // 3.0 s → round(2.5) = 2 sections (half-even), 73 frames.
    expect(lines[3]).toBe('video     2 section(s), 73 frames = 2.43 s at 30 fps (19 latent frames)');
    expect(text).toContain('gen  disp  pad  latent');
    expect(lines.find((l) => l.startsWith('  1     2    1  10–18'))).toBeDefined();
    expect(lines.find((l) => l.startsWith('  2     1    0  1–9'))).toBeDefined();
    expect(text).toContain('display order (first → last in the video): sections 2, 1');
    expect(text).toMatch(/^sigmas    1\.000000 /m);
    // The memory plan on this machine (host RAM): the tiny bundle fits; one row per component.
    expect(text).toMatch(/^memory    all components resident on cpu: peak [\d.]+ MiB of [\d.]+ GiB available$/m);
    expect(text).toMatch(/^ {10}COMPONENT +WEIGHTS +ACTIVATIONS +PEAK$/m);
    expect(text).toMatch(/^ {10}transformer +[\d.]+ MiB +[\d.]+ (KiB|MiB) +[\d.]+ MiB$/m);
  });

  it('f1 plans forward with the same indices every section', async () => {
    const p = JSON.parse(await plan(['--image', image, '--prompt', 'x', '--seconds', '2.4', '--mode', 'f1', '--json']));
    expect(p.mode).toBe('f1');
    expect(p.sections.map((s: { indices: { latent: number[] } }) => s.indices.latent[0])).toEqual([20, 20]);
    expect(p.sections.map((s: { decode: { totalFrames: number } }) => s.decode.totalFrames)).toEqual([37, 73]);
    expect(p.displayOrder).toEqual([0, 1]);
    expect(p.sections[0].tokens.text).toBeGreaterThan(0);
    expect(p.memory).toMatchObject({ kind: 'all-resident', fits: true, device: 'cpu', reason: null });
  });

  it('checks --lora as generate does and shows what each LoRA adapts; a bad one is refused', async () => {
    const blue = path.resolve('test/fixtures/lora/blue-kohya.safetensors');
    const text = await plan(['--image', image, '--prompt', 'x', '--lora', `${blue}:0.8`]);
    expect(text).toMatch(new RegExp(`^loras     ${blue.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} ×0\\.8 \\(Kohya/Musubi[^)]*, \\d+ modules\\)$`, 'm'));
    const p = JSON.parse(await plan(['--image', image, '--prompt', 'x', '--lora', blue, '--json']));
    expect(p.loras).toEqual([expect.objectContaining({ file: blue, strength: 1, modules: expect.any(Number) })]);
    // Its branches are counted with the transformer's weights in the memory plan (fp32 bundle: 4 bytes a number).
    const plain = JSON.parse(await plan(['--image', image, '--prompt', 'x', '--json']));
    const weights = (q: { memory: { components: { component: string; weightBytes: number }[] } }) => q.memory.components.find((c) => c.component === 'transformer')!.weightBytes;
    const [checked] = await checkLoras({ manifest: await readManifest(path.join(REPO_MODELS_DIR, 'framepack-tiny')) }, [{ path: blue, strength: 1 }]);
    expect(weights(p) - weights(plain)).toBe(4 * checked!.branchElements);
    await expect(runPlanCommand(['--image', image, '--prompt', 'x', '--lora', image], { stdout: process.stdout })).rejects.toThrow(/^--lora .*tall\.png: not a valid safetensors file/);
    await expect(runPlanCommand(['--image', image, '--prompt', 'x', '--lora', path.join(dir, 'none.safetensors')], { stdout: process.stdout })).rejects.toThrow(/none\.safetensors: no such file/);
  });
});
