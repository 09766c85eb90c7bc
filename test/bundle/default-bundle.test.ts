// The committed default bundle (models/framepack-tiny, trained by scripts/train/): it verifies, it
// is exactly what `npm run make-default-bundle` builds from the committed trained weights, its
// frozen encoders are the seeded ones training conditioned on, it carries its training card, and
// every graph runs with ORT at the default bucket, fast enough for a 5-second clip in well under a
// minute on 2 cores.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type ort from 'onnxruntime-node';
import { loadBundle, type LoadedBundle } from '../../daemon/models/bundle/load-bundle.js';
import type { ModelComponentId } from '../../daemon/models/bundle/manifest.js';
import { createCpuSession, tensorF32, tensorI64 } from '../../daemon/onnx/run.js';
import { feedsFromSignature } from '../../daemon/models/bundle/sample-feeds.js';
import { loadTokenizer } from '../../daemon/models/tokenizer/tokenizer.js';
import { adoptExport, DEFAULT_BUNDLE_DIR, DEFAULT_WEIGHTS_DIR, makeDefaultBundle } from '../../scripts/make-default-bundle.js';
import { makeSeededBundle } from '../../scripts/seeded-bundle.js';

let dir: string;
let bundle: LoadedBundle;
const sessions = new Map<string, ort.InferenceSession>();

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fp-default-'));
  bundle = await loadBundle(DEFAULT_BUNDLE_DIR, { verify: 'full' });
});
afterAll(async () => {
  await Promise.all([...sessions.values()].map((s) => s.release()));
  await rm(dir, { recursive: true, force: true });
});

async function session(id: ModelComponentId, stem: string): Promise<ort.InferenceSession> {
  const key = `${id}/${stem}`;
  if (!sessions.has(key)) sessions.set(key, await createCpuSession(bundle.components[id].graphs[stem]!));
  return sessions.get(key)!;
}

const feedsFor = feedsFromSignature;

const fileList = (m: LoadedBundle['manifest'], only?: ModelComponentId) => Object.entries(m.components)
  .filter(([id]) => !only || id === only).flatMap(([, c]) => c.files.map((f) => `${f.path} ${f.bytes} ${f.sha256}`));

const allFinite = (t: ort.Tensor) => (t.data as Float32Array).every(Number.isFinite);

describe('default bundle models/framepack-tiny', () => {
  it('verifies, and is a few MB', () => {
    const m = bundle.manifest;
    expect(m.name).toBe('framepack-tiny');
    expect(m.variant).toBe('inverted');
    const bytes = Object.values(m.components).flatMap((c) => c.files).reduce((a, f) => a + f.bytes, 0);
    expect(bytes).toBeLessThan(12e6);
    expect(m.defaultBucket).toEqual({ height: 64, width: 96 });
  });

  it('is reproduced byte for byte from the committed trained weights', async () => {
    const rebuilt = await makeDefaultBundle({ outDir: path.join(dir, 'rebuilt') });
    const stale = 'models/framepack-tiny is out of date with models/framepack-tiny-weights, the architecture code or models/tokenizers-src: ' +
      'run `npm run make-default-bundle` and commit the result';
    expect(fileList(rebuilt.manifest), stale).toEqual(fileList(bundle.manifest));
    expect(rebuilt.manifest, stale).toEqual(bundle.manifest);
  });

  it('adopts a training export only when it is complete (a partial one changes nothing)', async () => {
    const partial = path.join(dir, 'export-partial');
    const weights = path.join(dir, 'weights');
    await mkdir(partial, { recursive: true });
    await copyFile(path.join(DEFAULT_WEIGHTS_DIR, 'vae.safetensors'), path.join(partial, 'vae.safetensors'));
    await expect(adoptExport(partial, weights)).rejects.toThrow(/missing transformer\.safetensors, training-card\.json/);
    await expect(readdir(weights)).rejects.toThrow(/ENOENT/);
    await adoptExport(DEFAULT_WEIGHTS_DIR, weights);
    expect((await readdir(weights)).sort()).toEqual(['training-card.json', 'transformer.safetensors', 'vae.safetensors']);
  });

  it('keeps the seeded text and image encoders training conditioned on, and a different (trained) VAE and transformer', async () => {
    // Under the default's name: the bundle name is in each graph's metadata.
    const seeded = await makeSeededBundle({ outDir: path.join(dir, 'seeded'), name: bundle.manifest.name });
    for (const id of ['text_encoder', 'text_encoder_2', 'image_encoder', 'tokenizer', 'tokenizer_2'] as const) {
      expect(bundle.manifest.components[id].files, id).toEqual(seeded.manifest.components[id].files);
    }
    for (const id of ['vae', 'transformer'] as const) {
      // Training's architecture overrides (the card's "components", e.g. the VAE's normNumGroups) on the tiny preset.
      const card = JSON.parse(await readFile(path.join(DEFAULT_WEIGHTS_DIR, 'training-card.json'), 'utf8')) as { components?: Record<string, object> };
      expect(bundle.manifest.components[id].config, id).toEqual({
        ...seeded.manifest.components[id].config, ...card.components?.[id], ...(id === 'vae' ? { scalingFactor: expect.any(Number) } : {}),
      });
      expect(fileList(bundle.manifest, id), id).not.toEqual(fileList(seeded.manifest, id));
    }
  });

  it('carries its training card: data, steps, time, a transformer loss that went down, and the latent scale it was built with', async () => {
    const card = JSON.parse(await readFile(path.join(DEFAULT_BUNDLE_DIR, 'training-card.json'), 'utf8'));
    expect(card).toEqual(JSON.parse(await readFile(path.join(DEFAULT_WEIGHTS_DIR, 'training-card.json'), 'utf8')));
    expect(card.data).toMatchObject({ height: 64, width: 96 });
    for (const stage of ['vae', 'transformer']) {
      expect(card[stage].steps, stage).toBe(card[stage].config.steps);
      expect(card[stage].wallSeconds, stage).toBeGreaterThan(0);
    }
    // The VAE starts as an exact block-average codec (scripts/train/vae_init.py), so its batch loss
    // barely moves; the transformer starts from seeded weights and must have learnt.
    expect(card.transformer.loss.finalMeanOfLast10Logged).toBeLessThan(card.transformer.loss.first / 2);
    expect((bundle.manifest.components.vae.config as { scalingFactor: number }).scalingFactor).toBe(card.vae.scalingFactor);
  });

  it('runs the transformer (image projection, context, pre, blocks, post) at the default bucket', async () => {
    const m = bundle.manifest;
    const g = m.components.transformer.graphs;
    const h = m.defaultBucket.height / m.latent.spatialCompression;
    const w = m.defaultBucket.width / m.latent.spatialCompression;
    const frames = m.defaults.windowSize;
    const siglip = m.components.image_encoder.config as { imageSize: number; patchSize: number };
    const imageTokens = (siglip.imageSize / siglip.patchSize) ** 2;
    const textTokens = 12;

    const proj = await (await session('transformer', 'transformer_image_projection')).run(feedsFor(g.transformer_image_projection!, { image_tokens: imageTokens }));
    const ctx = await (await session('transformer', 'transformer_context')).run(
      feedsFor(g.transformer_context!, { clean_frames: 2, clean_2x_frames: 2, clean_4x_frames: 16, height: h, width: w }));
    const contextTokens = ctx.context_tokens!.dims[1]!;
    const pre = await session('transformer', 'transformer_pre');
    const blocks = await session('transformer', 'transformer_blocks');
    const post = await session('transformer', 'transformer_post');
    const preFeeds = feedsFor(g.transformer_pre!, { frames, height: h, width: w, text_tokens: textTokens, image_tokens: imageTokens, context_tokens: contextTokens }, {
      timestep: tensorF32(Float32Array.of(996), [1]), guidance: tensorF32(Float32Array.of(10000), [1]),
      image_tokens: proj.image_tokens!, context_tokens: ctx.context_tokens!,
    });
    const tf = m.components.transformer.config as { numAttentionHeads: number; attentionHeadDim: number };
    const step = async () => {
      const p = await pre.run(preFeeds);
      const imageSide = p.hidden_states!.dims[1]!;
      const b = await blocks.run({
        hidden_states: p.hidden_states!, encoder_hidden_states: p.encoder_hidden_states!, temb: p.temb!,
        // Identity rotation (cos 1, sin 0): the tables' values are the engine's business, not the bundle's.
        rope_cos: tensorF32(new Float32Array(imageSide * tf.attentionHeadDim).fill(1), [imageSide, tf.attentionHeadDim]),
        rope_sin: tensorF32(new Float32Array(imageSide * tf.attentionHeadDim), [imageSide, tf.attentionHeadDim]),
      });
      const out = await post.run({ hidden_states: b.hidden_states_out!, temb: p.temb!, latent_shape: tensorI64([frames, h, w], [3]) });
      return { p, out };
    };
    const { p, out } = await step();
    expect(p.hidden_states!.dims).toEqual([1, contextTokens + frames * (h / 2) * (w / 2), tf.numAttentionHeads * tf.attentionHeadDim]);
    expect(p.encoder_hidden_states!.dims[1]).toBe(imageTokens + textTokens);
    expect(out.velocity!.dims).toEqual([1, m.latent.channels, frames, h, w]);
    expect(allFinite(out.velocity!)).toBe(true);

    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      await step();
      times.push(performance.now() - t0);
    }
    const stepMs = times.sort((a, b) => a - b)[3]!; // median: other processes share these 2 cores
    console.log(`framepack-tiny: one transformer step (pre+blocks+post) at ${m.defaultBucket.height}×${m.defaultBucket.width}, ${p.hidden_states!.dims[1]} image-side tokens: ${stepMs.toFixed(1)} ms (median of 7)`);
    // 4 sections × 25 steps must leave most of a minute for everything else.
    expect(100 * stepMs).toBeLessThan(30_000);
  });

  it('runs the VAE encoder and decoder, and times one section decode', async () => {
    const m = bundle.manifest;
    const g = m.components.vae.graphs;
    const { height, width } = m.defaultBucket;
    const enc = await (await session('vae', 'vae_encoder')).run(feedsFor(g.vae_encoder!, { batch: 1, frames: 1, height, width }));
    expect(enc.mean!.dims).toEqual([1, m.latent.channels, 1, height / 8, width / 8]);
    expect(allFinite(enc.mean!)).toBe(true);
    const latentFrames = m.defaults.windowSize;
    const dec = await session('vae', 'vae_decoder');
    const feeds = feedsFor(g.vae_decoder!, { batch: 1, latent_frames: latentFrames, latent_height: height / 8, latent_width: width / 8 });
    const t0 = performance.now();
    const out = await dec.run(feeds);
    const decodeMs = performance.now() - t0;
    console.log(`framepack-tiny: VAE decode of ${latentFrames} latent frames at ${height}×${width}: ${decodeMs.toFixed(1)} ms`);
    expect(out.pixels!.dims).toEqual([1, 3, 4 * (latentFrames - 1) + 1, height, width]);
    expect(allFinite(out.pixels!)).toBe(true);
  });

  it('runs the text encoders on the bundled tokenizers\' ids for the templated prompt', async () => {
    const m = bundle.manifest;
    const llamaTok = await loadTokenizer(bundle.components.tokenizer.files['tokenizer/tokenizer.json']!);
    const clipTok = await loadTokenizer(bundle.components.tokenizer_2.files['tokenizer_2/tokenizer.json']!);
    expect(llamaTok.vocabSize).toBeLessThanOrEqual((m.components.text_encoder.config as { vocabSize: number }).vocabSize);
    expect(clipTok.vocabSize).toBeLessThanOrEqual((m.components.text_encoder_2.config as { vocabSize: number }).vocabSize);
    const prompt = 'a red ball bounces to the right';
    const ids = llamaTok.encode(m.text.llamaTemplate.replace('{}', prompt));
    const llama = await (await session('text_encoder', 'text_encoder')).run({ input_ids: tensorI64(ids, [1, ids.length]) });
    expect(llama.hidden_states!.dims.slice(0, 2)).toEqual([1, ids.length]);
    expect(allFinite(llama.hidden_states!)).toBe(true);

    const clipIds = clipTok.encode(prompt, { maxLength: m.text.clipMaxLength });
    const eos = clipIds.length - 1;
    const padded = [...clipIds, ...new Array(m.text.clipMaxLength - clipIds.length).fill(clipIds[eos])];
    const clip = await (await session('text_encoder_2', 'text_encoder_2')).run({
      input_ids: tensorI64(padded, [1, m.text.clipMaxLength]), eos_index: tensorI64([eos], [1]),
    });
    expect(clip.pooled!.dims).toEqual([1, (m.components.transformer.config as { pooledProjectionDim: number }).pooledProjectionDim]);
    expect(allFinite(clip.pooled!)).toBe(true);
  });

  it('runs the image encoder', async () => {
    const m = bundle.manifest;
    const siglip = await (await session('image_encoder', 'image_encoder')).run(feedsFor(m.components.image_encoder.graphs.image_encoder!, {}));
    expect(allFinite(siglip.last_hidden_state!)).toBe(true);
    expect(siglip.last_hidden_state!.dims[2]).toBe((m.components.transformer.config as { imageProjDim: number }).imageProjDim);
  });
});
