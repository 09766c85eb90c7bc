// A bundle built with --block-groups K: the default model rebuilt under its own name with its
// blocks also as K group graphs. Everything the non-streamed path reads is the committed bundle's,
// byte for byte; the groups are extra files the manifest records, not counted as resident weights.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readManifest } from '../../daemon/models/bundle/load-bundle.js';
import { manifestSchema } from '../../daemon/models/bundle/manifest.js';
import { jobComponentBytes } from '../../daemon/residency/job-memory.js';
import { DEFAULT_BUNDLE_DIR, makeDefaultBundle } from '../../scripts/make-default-bundle.js';
import { parseBuildArgs } from '../../scripts/build-bundle.js';
import { MODEL_COMPONENT_IDS } from '../../daemon/models/bundle/manifest.js';

const tmp = await mkdtemp(path.join(os.tmpdir(), 'fp-block-groups-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe('bundle with transformer block groups', () => {
  it('adds transformer_blocks_g0…g3 and blockGroups: 4, leaving every other file and the memory figures as the committed bundle has them', async () => {
    const { manifest } = await makeDefaultBundle({ outDir: path.join(tmp, 'g4'), blockGroups: 4 });
    const committed = await readManifest(DEFAULT_BUNDLE_DIR);
    const t = manifest.components.transformer;
    expect(t.blockGroups).toBe(4);
    expect(Object.keys(t.graphs).filter((g) => g.startsWith('transformer_blocks_g')).sort()).toEqual(['transformer_blocks_g0', 'transformer_blocks_g1', 'transformer_blocks_g2', 'transformer_blocks_g3']);
    expect(t.graphs.transformer_blocks_g0!.outputs.map((o) => o.name)).toEqual(['hidden_states_out', 'encoder_hidden_states_out']);
    const groupFiles = t.files.filter((f) => /transformer_blocks_g\d/.test(f.path));
    expect(groupFiles).toHaveLength(4);
    expect(t.files.filter((f) => !groupFiles.includes(f))).toEqual(committed.components.transformer.files);
    expect(t.memory).toEqual(committed.components.transformer.memory);
    expect(t.estimatedResidentBytes).toBe(committed.components.transformer.estimatedResidentBytes);
    // The plan counts the transformer once (the group files repeat the blocks' weights).
    expect(jobComponentBytes(manifest, manifest.defaultBucket, 9)).toEqual(jobComponentBytes(committed, committed.defaultBucket, 9));
  });

  it('refuses group counts outside 2…blocks, and a manifest whose groups are missing', async () => {
    await expect(makeDefaultBundle({ outDir: path.join(tmp, 'g5'), blockGroups: 5 })).rejects.toThrow(/block groups must be an integer from 1 to 4/);
    await expect(makeDefaultBundle({ outDir: path.join(tmp, 'g1'), blockGroups: 1 })).rejects.toThrow(/block groups must be at least 2, got 1/);
    const base = ['--config', 'c.json', '--tokenizer', 't', '--tokenizer-2', 't', '--out', 'o', ...MODEL_COMPONENT_IDS.map((id) => `--weights=${id}=w`)];
    expect(parseBuildArgs([...base, '--block-groups', '3'])).toMatchObject({ blockGroups: 3 });
    expect(() => parseBuildArgs([...base, '--block-groups', '1'])).toThrow(/--block-groups must be an integer ≥ 2, not '1'/);
    expect(() => parseBuildArgs([...base, '--block-groups', 'x'])).toThrow(/--block-groups must be an integer ≥ 2/);
    const committed = await readManifest(DEFAULT_BUNDLE_DIR);
    const broken = structuredClone(committed);
    broken.components.transformer.blockGroups = 2;
    const r = manifestSchema.safeParse(broken);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message)).toContain("blockGroups is 2 but graph 'transformer_blocks_g0' is missing");
  });
});
