// The importer on tiny checkpoints in the official layout: an fp32 import of the default bundle's
// weights (trained VAE and transformer from models/framepack-tiny-weights, seeded encoders)
// reproduces its graphs byte for byte (same weights, same build path), bf16 checkpoints with the
// CLIP tokenizer as vocab.json + merges.txt import and load, and folders with missing or
// mismatched tensors are refused with their names.
import { describe, expect, it } from 'vitest';
import { readFile, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { componentDefinitions } from '../bundle/definitions.js';
import { loadBundle } from '../bundle/load-bundle.js';
import { REPO_MODELS_DIR } from '../../engine/pipeline/model-location.js';
import { loadTokenizer } from '../tokenizer/tokenizer.js';
import { ImportError, importOfficial, type ImportProgress } from './import.js';
import { locateOfficialLayout, LayoutError } from './official-layout.js';
import { transformerConfigFromDiffusers } from './official-configs.js';
import { defaultBundleOfficialOptions, officialConfigJson, writeTinyOfficialCheckpoints } from './tiny-official.js';
import { fullTransformerConfig } from '../transformer/config.js';
import type { Manifest } from '../bundle/manifest.js';
import { fileTempDir } from '../../../test/helpers/temp-dir.js';
import { canListOpenFds, openFdsTo } from '../../../test/helpers/open-fds.js';

const tmp = fileTempDir('fp-import-test-');
const defaultManifest = JSON.parse(await readFile(path.join(REPO_MODELS_DIR, 'framepack-tiny', 'manifest.json'), 'utf8')) as Manifest;

describe('models import', () => {
  it('maps the official transformer config.json both ways', () => {
    expect(transformerConfigFromDiffusers(officialConfigJson('transformer', fullTransformerConfig))).toEqual(fullTransformerConfig);
    expect(() => transformerConfigFromDiffusers({ ...officialConfigJson('transformer', fullTransformerConfig), has_clean_x_embedder: false })).toThrow(/has_clean_x_embedder/);
    // Unset keys take the constructor defaults (out_channels falls back to in_channels).
    expect(transformerConfigFromDiffusers({ has_image_proj: true, has_clean_x_embedder: true, out_channels: null })).toEqual(fullTransformerConfig);
  });

  it('fp32 import of the default bundle\'s weights in the official layout reproduces its graphs exactly', async () => {
    const src = path.join(tmp, 'official-fp32');
    const official = await defaultBundleOfficialOptions();
    await writeTinyOfficialCheckpoints(src, { definitions: componentDefinitions, ...official });
    // The trained weights it copied from are closed again (not left to the GC's DEP0137 warning).
    if (canListOpenFds) expect(await openFdsTo(Object.values(official.weightFiles ?? {}))).toEqual([]);
    const events: ImportProgress[] = [];
    const models = path.join(tmp, 'models-a');
    const r = await importOfficial({ from: src, name: 'framepack-tiny', preset: 'tiny', dtype: 'fp32', modelsDir: models, onProgress: (p) => events.push(p) });
    expect(r.dir).toBe(path.join(models, 'framepack-tiny'));
    expect(r.layout.variant).toBe('inverted');
    for (const id of ['transformer', 'vae', 'text_encoder', 'text_encoder_2', 'image_encoder', 'tokenizer', 'tokenizer_2'] as const) {
      expect(r.manifest.components[id].files, id).toEqual(defaultManifest.components[id].files);
    }
    expect(r.manifest.components.transformer.config).toEqual(defaultManifest.components.transformer.config);
    expect(r.manifest.components.vae.config).toEqual(defaultManifest.components.vae.config);
    // Progress per component: config, check, then the builder's phases.
    for (const id of ['transformer', 'vae', 'image_encoder']) {
      expect(events.filter((e) => e.component === id).map((e) => e.phase)).toEqual(expect.arrayContaining(['config', 'check', 'write', 'hash', 'done']));
    }
    expect((await loadBundle(r.dir, { verify: 'full' })).verification.filesHashed).toBe(12);
    expect((await readdir(models)).sort()).toEqual(['framepack-tiny']);
    await expect(importOfficial({ from: src, name: 'framepack-tiny', preset: 'tiny', modelsDir: models })).rejects.toThrow(/already exists/);
  });

  it('bf16 checkpoints with a vocab.json + merges.txt CLIP tokenizer import as fp16 and load', async () => {
    const src = path.join(tmp, 'official-bf16');
    await writeTinyOfficialCheckpoints(src, { definitions: componentDefinitions, dtype: 'bfloat16', clipVocabMerges: true });
    const r = await importOfficial({ from: src, preset: 'tiny', dtype: 'fp16', modelsDir: path.join(tmp, 'models-b') });
    expect(path.basename(r.dir)).toBe('framepack-i2v-fp16');
    expect(r.manifest.components.vae.weightDtype).toBe('float16');
    const loaded = await loadBundle(r.dir, { verify: 'full' });
    const tok = await loadTokenizer(loaded.components.tokenizer_2.files['tokenizer_2/tokenizer.json']!);
    const reference = await loadTokenizer(path.join(REPO_MODELS_DIR, 'tokenizers-src', 'clip', 'tokenizer.json'));
    const text = 'a red ball bounces across the floor';
    expect(tok.encode(text)).toEqual(reference.encode(text));
  });

  it('refuses missing and mismatched tensors, naming them, and writes nothing', async () => {
    const src = path.join(tmp, 'official-bad');
    await writeTinyOfficialCheckpoints(src, {
      definitions: componentDefinitions,
      tamper: (id, name, shape) => {
        if (id === 'vae' && name === 'decoder.conv_out.conv.bias') return null;
        if (id === 'image_encoder' && name === 'vision_model.post_layernorm.weight') return [shape[0]! + 1];
        return shape;
      },
    });
    const models = path.join(tmp, 'models-c');
    const err = await importOfficial({ from: src, preset: 'tiny', modelsDir: models }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportError);
    const problems = (err as ImportError).problems;
    expect(problems).toContain("vae: missing tensor 'decoder.conv_out.conv.bias' [3]");
    expect(problems).toContain("image_encoder: tensor 'vision_model.post_layernorm.weight' is [49], expected [48]");
    expect(problems).toHaveLength(2);
    expect((err as Error).message).toContain('decoder.conv_out.conv.bias');
    expect(await readdir(models).catch(() => [])).toEqual([]);
  });

  it('refuses bf16 bundles and names what a folder lacks', async () => {
    await expect(importOfficial({ from: tmp, dtype: 'bf16' })).rejects.toThrow(/--dtype bf16/);
    const err = await locateOfficialLayout(path.join(tmp, 'models-a')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LayoutError);
    expect((err as Error).message).toMatch(/transformer:.*\n.*vae:/s);
  });
});
