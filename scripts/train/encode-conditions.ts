// `npx tsx scripts/train/encode-conditions.ts --bundle DIR --in DIR --out FILE.safetensors`:
// the frozen conditioning of a training set, computed by the project's own inference path
// (daemon/engine/pipeline/conditioning.ts on the bundle's ONNX text and image encoders), so the
// transformer trains on exactly the features it sees at generation time.
//
// --in holds what data.py's `--dump` wrote: prompts.json (one prompt per clip) and start.bin (the
// clips' first frames, uint8 [N, H, W, 3]) with start.json {count, height, width}.
// Output tensors: llama [P, Lmax, D] (zero-padded), llama_tokens [P] (i32), pooled [P, Dp],
// prompt_of_clip [N] (i32: row of llama/pooled), image_embeddings [N, tokens, Di].
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadBundle } from '../../daemon/models/bundle/load-bundle.js';
import { openSessions } from '../../daemon/engine/pipeline/sessions.js';
import { encodeImage, encodePrompt, type PromptConditioning } from '../../daemon/engine/pipeline/conditioning.js';
import { writeSafetensors } from '../../daemon/weights/safetensors.js';

const f32Bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const i32Bytes = (a: Int32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

export async function encodeConditions(bundleDir: string, inDir: string, outFile: string): Promise<{ prompts: number; clips: number; maxTokens: number }> {
  const prompts = JSON.parse(await readFile(path.join(inDir, 'prompts.json'), 'utf8')) as string[];
  const meta = JSON.parse(await readFile(path.join(inDir, 'start.json'), 'utf8')) as { count: number; height: number; width: number };
  const frames = await readFile(path.join(inDir, 'start.bin'));
  const frameBytes = meta.height * meta.width * 3;
  if (frames.length !== meta.count * frameBytes || prompts.length !== meta.count) throw new Error('start.bin / prompts.json do not match start.json');
  const bundle = await loadBundle(bundleDir);
  const s = await openSessions(bundle, { threads: 1 });
  try {
    const unique = [...new Set(prompts)];
    const conds: PromptConditioning[] = [];
    for (const p of unique) conds.push(await encodePrompt(s, bundle.manifest, p));
    const maxTokens = Math.max(...conds.map((c) => c.tokens));
    const d = conds[0]!.llama.dims[2]!;
    const dp = conds[0]!.pooled.dims[1]!;
    const llama = new Float32Array(unique.length * maxTokens * d);
    const pooled = new Float32Array(unique.length * dp);
    const tokens = new Int32Array(unique.length);
    conds.forEach((c, i) => {
      llama.set(c.llama.data, i * maxTokens * d);
      pooled.set(c.pooled.data, i * dp);
      tokens[i] = c.tokens;
    });
    const row = new Map(unique.map((p, i) => [p, i]));
    const promptOfClip = Int32Array.from(prompts, (p) => row.get(p)!);
    let image: Float32Array | undefined;
    let imageDims: number[] = [];
    for (let n = 0; n < meta.count; n++) {
      const rgb = new Uint8Array(frames.buffer, frames.byteOffset + n * frameBytes, frameBytes);
      const e = await encodeImage(s, bundle.manifest, { width: meta.width, height: meta.height, rgb: new Uint8Array(rgb) });
      if (!image) { imageDims = e.dims.slice(1); image = new Float32Array(meta.count * e.data.length); }
      image.set(e.data, n * e.data.length);
    }
    await writeSafetensors(outFile, [
      { name: 'llama', dtype: 'float32', shape: [unique.length, maxTokens, d], read: () => f32Bytes(llama) },
      { name: 'llama_tokens', dtype: 'int32', shape: [unique.length], read: () => i32Bytes(tokens) },
      { name: 'pooled', dtype: 'float32', shape: [unique.length, dp], read: () => f32Bytes(pooled) },
      { name: 'prompt_of_clip', dtype: 'int32', shape: [meta.count], read: () => i32Bytes(promptOfClip) },
      { name: 'image_embeddings', dtype: 'float32', shape: [meta.count, ...imageDims], read: () => f32Bytes(image!) },
    ], { bundle: bundle.manifest.name });
    return { prompts: unique.length, clips: meta.count, maxTokens };
  } finally {
    await s.release();
  }
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { bundle: { type: 'string' }, in: { type: 'string' }, out: { type: 'string' } } });
  if (!values.bundle || !values.in || !values.out) {
    process.stderr.write('Usage: npx tsx scripts/train/encode-conditions.ts --bundle DIR --in DIR --out FILE.safetensors\n');
    return 2;
  }
  const r = await encodeConditions(values.bundle, values.in, values.out);
  process.stdout.write(`${JSON.stringify(r)}\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
