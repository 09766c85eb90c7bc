// LoRAs through a real daemon with the real engine and the default bundle: bad LoRAs are refused at
// submit (INVALID_PARAMS on `loras`, naming the tensors; nothing queued, the daemon up), the blue
// fixture (scripts/train/train_lora.py) turns a job's video blue, and the next job without it gets
// the plain transformer back; the sidecar records the LoRA; the CLI refuses a bad file with exit 2.
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { writeSafetensors } from '../../daemon/weights/safetensors.js';
import { collectEvents, startDaemon, terminalsOf, type DaemonProcess } from '../helpers/daemon-harness.js';
import { createCliHarness } from '../helpers/cli-harness.js';
import { blueness } from '../helpers/blueness.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const BLUE_LORA = path.join(REPO, 'test/fixtures/lora/blue-kohya.safetensors');
const image = path.join(REPO, 'docs/examples/start.png');
let d: DaemonProcess;

/** A LoRA file of float32 zeros with these tensors. */
async function fakeLora(file: string, tensors: Record<string, number[]>): Promise<string> {
  await writeSafetensors(file, Object.entries(tensors).map(([name, shape]) => ({
    name, dtype: 'float32' as const, shape, read: () => new Uint8Array(shape.reduce((a, b) => a * b, 1) * 4),
  })));
  return file;
}

beforeAll(async () => {
  d = await startDaemon({ env: { FRAMEPACK_ENGINE: 'onnx' }, args: ['--preserve-vram', '0'] });
}, 30_000);
afterAll(async () => d?.cleanup());

describe('daemon: LoRAs', () => {
  it('refuses bad LoRAs at submit, naming what is wrong; nothing is queued and the daemon stays up', async () => {
    const c = await d.client();
    const base = { image, prompt: 'x', seconds: 1, steps: 2 };
    const misshaped = await fakeLora(path.join(d.base, 'big.safetensors'), {
      'lora_unet_double_blocks_0_img_attn_qkv.lora_down.weight': [4, 3072], 'lora_unet_double_blocks_0_img_attn_qkv.lora_up.weight': [9216, 4],
    });
    const sd = await fakeLora(path.join(d.base, 'sd.safetensors'), {
      'lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight': [4, 320], 'lora_unet_down_blocks_0_attentions_0_proj_in.lora_up.weight': [320, 4],
    });
    const cases: [string, RegExp][] = [
      [misshaped, /'lora_unet_double_blocks_0_img_attn_qkv\.lora_down\.weight' has shape \[4, 3072\], expected \[rank, 64\]/],
      [sd, /not a LoRA for this model.*Stable Diffusion/],
      [path.join(d.base, 'missing.safetensors'), /missing\.safetensors: no such file/],
      ['relative.safetensors', /must be absolute/],
    ];
    for (const [file, message] of cases) {
      const err = await c.call('jobs.submit', { ...base, loras: [{ path: file }] }).then(() => null, (e: unknown) => e);
      expect(err, file).toMatchObject({ code: 'INVALID_PARAMS', detail: { issues: [{ path: ['loras'] }] } });
      expect((err as Error).message).toMatch(message);
    }
    expect((await c.call('jobs.list', {})).jobs).toHaveLength(0);
    expect((await c.call('daemon.status', {})).pid).toBe(d.child.pid);
  });

  it('the blue LoRA turns a job blue; the next job without it is plain again; the sidecar names it', async () => {
    const c = await d.client();
    const col = await collectEvents(c);
    const spec = { image, prompt: 'a red circle moves to the right on a yellow background', seconds: 1, steps: 8, seed: 5, partials: false };
    const outputs: string[] = [];
    for (const loras of [[{ path: BLUE_LORA, strength: 1 }], undefined]) {
      const { jobId } = await c.call('jobs.submit', { ...spec, ...(loras ? { loras } : {}) });
      await col.until((ev) => terminalsOf(ev, jobId).length > 0, 300_000);
      const [term] = terminalsOf(col.events, jobId);
      expect(term, JSON.stringify(term)).toMatchObject({ event: 'job.succeeded' });
      outputs.push((term!.payload as { outputPath: string }).outputPath);
    }
    const [blue, plain] = [await blueness(outputs[0]!), await blueness(outputs[1]!)];
    expect(blue - plain, `blueness with ${blue}, without ${plain}`).toBeGreaterThan(40);
    const details = col.events.filter((e) => e.event === 'stage').map((e) => String((e.payload as { detail?: string }).detail ?? ''));
    expect(details.some((t) => /built the transformer variant with 1 LoRA/.test(t))).toBe(true);
    expect(details.some((t) => /removing the LoRAs of the previous job/.test(t))).toBe(true);
    // The variant lives in the daemon's data dir, one folder per LoRA set.
    expect((await readdir(path.join(d.dataDir, 'lora-cache'))).filter((n) => !n.startsWith('.'))).toHaveLength(1);
    const sidecar = JSON.parse(await readFile(outputs[0]!.replace(/\.mp4$/, '.json'), 'utf8'));
    expect(sidecar.parameters.loras).toEqual([{ file: 'blue-kohya.safetensors', strength: 1 }]);
  }, 600_000);

  it('generate --lora with a LoRA for another model exits 2 before anything starts', async () => {
    const h = await createCliHarness('fp-lora-cli-');
    onTestFinished(() => rm(h.dir, { recursive: true, force: true }));
    const sd = await fakeLora(path.join(h.dir, 'sd.safetensors'), {
      'lora_te1_text_model_encoder_layers_0_mlp_fc1.lora_down.weight': [4, 768], 'lora_te1_text_model_encoder_layers_0_mlp_fc1.lora_up.weight': [3072, 4],
    });
    const r = await h.framepack(['generate', '--image', h.image, '--prompt', 'x', '--lora', `${sd}:0.7`, '--local']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--lora .*sd\.safetensors: not a LoRA for this model/);
  });
});
