// The training foundation's checks that need no long training: data.py is seeded and its prompts say
// what the frames show (left/right/up/down move one fixed distance), the LR schedule holds its floor
// after decaySteps, every prompt fits the default bundle's tokenizers, sections.py builds the
// same section indices and context slots as the engine's section-plan.ts, and a few transformer
// steps train the same weights in one process as in two data-parallel ones.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planJob, type ContextRange } from '../../daemon/engine/section-plan.js';
import { loadTokenizer } from '../../daemon/models/tokenizer/tokenizer.js';
import { componentDefinitions } from '../../daemon/models/bundle/definitions.js';
import { openWeights } from '../../daemon/weights/safetensors.js';
import { writeSeededWeights } from '../seeded-bundle.js';

const HERE = import.meta.dirname;
const REPO = path.resolve(HERE, '..', '..');
const py = (...args: string[]) => execFileSync('/usr/bin/python3', args, { cwd: REPO, encoding: 'utf8', maxBuffer: 64 << 20 });
/** A few lines of Python with scripts/train on the path; returns the JSON it prints. */
const pyJson = <T>(...lines: string[]): T => JSON.parse(py('-c', ['import json, sys', 'sys.path.insert(0, "scripts/train")', ...lines].join('\n'))) as T;

interface Check {
  sameSeedSame: boolean;
  otherSeedDiffers: boolean;
  sha256: string;
  clips: { motion: string; prompt: string; shape: number[]; matches: boolean }[];
}

describe('seeded weights with architecture overrides', () => {
  it('shapes the transformer by the override and refuses an invalid one', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fp-seeded-over-'));
    try {
      const paths = await writeSeededWeights(dir, componentDefinitions, 7, { transformer: { numAttentionHeads: 4 } });
      const w = await openWeights(paths.transformer);
      expect(w.info('x_embedder.proj.weight')!.shape).toEqual([128, 16, 1, 2, 2]); // 4 heads × 32
      const plain = await openWeights((await writeSeededWeights(path.join(dir, 'plain'), componentDefinitions, 7)).transformer);
      expect(plain.info('x_embedder.proj.weight')!.shape).toEqual([64, 16, 1, 2, 2]);
      await Promise.all([w.close(), plain.close()]); // not left to the GC (a DEP0137 warning in the test log)
      await expect(writeSeededWeights(path.join(dir, 'bad'), componentDefinitions, 7, { transformer: { numAttentionHeads: 0 } })).rejects.toThrow(/numAttentionHeads/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('vae_init.py', () => {
  it('starts the VAE as an exact block-average encoder and bilinear decoder (checked against torch pooling/interpolation)', () => {
    const r = JSON.parse(py('scripts/train/vae_init.py')) as { latentShape: number[]; encoderMaxAbsError: number; decoderMaxAbsError: number; logvarMean: number };
    expect(r.latentShape).toEqual([1, 16, 3, 8, 12]);
    // The GroupNorm scale depends on the picture by at most 1.5 %; on [-1, 1] values that is < 0.02.
    expect(r.encoderMaxAbsError).toBeLessThan(2e-2);
    expect(r.decoderMaxAbsError).toBeLessThan(2e-2);
    expect(r.logvarMean).toBe(-10);
  });
});

describe('data.py', () => {
  it('gives the same pixels for the same seed, and prompts that match the measured motion', () => {
    const r = JSON.parse(py('scripts/train/data.py', '--check')) as Check;
    expect(r.sameSeedSame).toBe(true);
    expect(r.otherSeedDiffers).toBe(true);
    expect(r.clips.map((c) => c.motion)).toEqual(['left', 'right', 'up', 'down', 'bounce', 'grow', 'shrink', 'rotate', 'colour']);
    for (const c of r.clips) {
      expect(c.shape).toEqual([73, 64, 96, 3]);
      expect(c.matches, `${c.motion}: "${c.prompt}"`).toBe(true);
    }
  });

  it('moves left/right/up/down by one distance, TRAVEL = 40 % of the frame, in every clip (v3: a fixed end position for a motion)', () => {
    const moves = pyJson<[string, number, number][]>(
      'import data',
      'out = []',
      'for i, m in enumerate(("left", "right", "up", "down") * 2):',
      '    _, _, meta = data.clip(77, i, motion=m)',
      '    (x0, y0), (x1, y1) = meta["centres"][0], meta["centres"][-1]',
      '    out.append([m, x1 - x0, y1 - y0])',
      'print(json.dumps(out))',
    );
    const want: Record<string, [number, number]> = { left: [-0.4 * 96, 0], right: [0.4 * 96, 0], up: [0, -0.4 * 64], down: [0, 0.4 * 64] };
    for (const [m, dx, dy] of moves) {
      expect(dx, m).toBeCloseTo(want[m]![0], 9);
      expect(dy, m).toBeCloseTo(want[m]![1], 9);
    }
  });

  it('writes prompts the tiny tokenizers cover word by word, well inside the token limits', async () => {
    const prompts = py('scripts/train/data.py', '--prompts', '1001', '120').trim().split('\n');
    expect(prompts).toHaveLength(120);
    const llama = await loadTokenizer(path.join(REPO, 'models/tokenizers-src/llama/tokenizer.json'));
    const clip = await loadTokenizer(path.join(REPO, 'models/tokenizers-src/clip/tokenizer.json'));
    for (const p of prompts) {
      const words = p.split(' ').length;
      // Every word is in the tokenizers' training corpus (scripts/tiny-tokenizer/corpus.ts): one
      // Llama token per word; the CLIP vocabulary is smaller, so a rare word may take two pieces.
      expect(llama.encode(p, { addSpecialTokens: false }).length, p).toBe(words);
      const clipTokens = clip.encode(p, { addSpecialTokens: false }).length;
      expect(clipTokens, p).toBeLessThanOrEqual(Math.ceil(words * 1.5));
      expect(clipTokens + 2).toBeLessThanOrEqual(77);
      expect(words).toBeLessThanOrEqual(64);
    }
  });
});

type Slot = (number | null)[];
interface PySection {
  window: number[]; clean: Slot; clean2x: Slot; clean4x: Slot;
  idx_latent: number[]; idx_clean: number[]; idx_clean2x: number[]; idx_clean4x: number[];
}

/** A plan's context range as latent indices of the whole video, null for zero frames. */
function slot(r: ContextRange, historyToLatent: (i: number) => number): Slot {
  return [...Array<null>(r.zerosBefore).fill(null), ...Array.from({ length: r.to - r.from }, (_, i) => historyToLatent(r.from + i)), ...Array<null>(r.zerosAfter).fill(null)];
}

describe('common.lr_at', () => {
  it('warms up, decays by cosine to minLrRatio·lr at decaySteps, then holds it (the low-lr tail); without decaySteps the cosine ends at the last step', () => {
    const [tail, plain] = pyJson<number[][]>(
      'import common',
      'tail = {"lr": 1.0, "warmupSteps": 10, "steps": 150, "decaySteps": 110, "minLrRatio": 0.1}',
      'plain = {k: v for k, v in tail.items() if k != "decaySteps"}',
      'print(json.dumps([[common.lr_at(s, c) for s in (0, 9, 10, 60, 109, 110, 149)] for c in (tail, plain)]))',
    );
    expect(tail![0]).toBeCloseTo(0.1, 12);     // warm-up: (step + 1) / warmupSteps
    expect(tail![1]).toBeCloseTo(1, 12);
    expect(tail![2]).toBeCloseTo(1, 12);       // cosine starts at the full lr
    expect(tail![3]).toBeCloseTo(0.55, 12);    // halfway down to 0.1
    expect(tail![5]).toBeCloseTo(0.1, 12);     // reached at decaySteps …
    expect(tail![6]).toBeCloseTo(0.1, 12);     // … and held to the last step
    expect(plain![3]).toBeCloseTo(0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * 50 / 140)), 12);
    expect(plain![6]).toBeGreaterThan(0.1);    // one step before the end, still above the floor
  });
});

describe('sections.py mirrors section-plan.ts', () => {
  const ws = 9;
  const dump = JSON.parse(py('scripts/train/sections.py', '--dump', '6', String(ws))) as { inverted: Record<string, PySection[]>; vanilla: PySection[] };

  it('inverted: RoPE indices and the history after the window as 1×/2×/4× context', () => {
    for (let n = 1; n <= 6; n++) {
      const plan = planJob({ mode: 'inverted', seconds: (n * ws * 4) / 30, latentHeight: 8, latentWidth: 12, latentWindowSize: ws });
      expect(plan.sectionCount).toBe(n);
      plan.sections.forEach((s, k) => {
        const p = dump.inverted[String(n)]![k]!;
        expect(p.idx_latent).toEqual(s.indices.latent);
        expect(p.idx_clean).toEqual(s.indices.clean);
        expect(p.idx_clean2x).toEqual(s.indices.clean2x);
        expect(p.idx_clean4x).toEqual(s.indices.clean4x);
        // The engine's history (display order) starts right after this section's window.
        const firstAfter = 1 + (s.displayIndex + 1) * ws;
        const toLatent = (i: number) => firstAfter + i;
        expect(p.window[0]).toBe(1 + s.displayIndex * ws);
        expect(p.clean).toEqual([0, ...slot(s.context.clean1x, toLatent)]);
        expect(p.clean2x).toEqual(slot(s.context.clean2x, toLatent));
        expect(p.clean4x).toEqual(slot(s.context.clean4x, toLatent));
      });
    }
  });

  it('vanilla: the two most recent latents at 1×, zero 2×/4×', () => {
    const plan = planJob({ mode: 'vanilla', seconds: (6 * ws * 4) / 30, latentHeight: 8, latentWidth: 12, latentWindowSize: ws });
    plan.sections.forEach((s, d) => {
      const p = dump.vanilla[d]!;
      expect(p.idx_latent).toEqual(s.indices.latent);
      expect(p.idx_clean).toEqual(s.indices.clean);
      expect(p.idx_clean2x).toEqual(s.indices.clean2x);
      expect(p.idx_clean4x).toEqual(s.indices.clean4x);
      expect(p.window[0]).toBe(1 + d * ws);
      const lead = s.context.cleanLead;
      if (lead === 'start-latent') throw new Error('vanilla plans a history frame as the lead');
      expect(p.clean).toEqual([...slot(lead, (i) => i), ...slot(s.context.clean1x, (i) => i)]);
      expect(p.clean2x).toEqual(slot(s.context.clean2x, (i) => i));
      expect(p.clean4x).toEqual(slot(s.context.clean4x, (i) => i));
    });
  });
});

describe('transformer_init.py', () => {
  // The identity init: every block off, the noisy input handed straight back (v = x_σ) for any
  // context, text and timestep; the LayerNorm it passes through keeps it within ~1 %.
  it('starts the transformer as a noise pass-through, and refuses a hidden size with no room for it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fp-tinit-'));
    try {
      const full = JSON.parse(readFileSync(path.join(HERE, 'config.json'), 'utf8'));
      const seeded = await writeSeededWeights(dir, componentDefinitions, 7, full.components);
      const r = JSON.parse(py('scripts/train/transformer_init.py', path.join(HERE, 'config.json'), seeded.transformer)) as { relErr: number; maxAbsErr: number };
      expect(r.relErr).toBeLessThan(0.02); // measured 0.004
      // The seeded weights themselves are nowhere near a pass-through.
      const off = JSON.parse(py('scripts/train/transformer_init.py', path.join(HERE, 'config.json'), seeded.transformer, '--as-seeded')) as { relErr: number };
      expect(off.relErr).toBeGreaterThan(0.3);
      // 16 latent channels fill the tiny model's 64 hidden dims: no room for the constants.
      const sixteen = { ...full, components: { vae: { normNumGroups: 1, latentChannels: 16 }, transformer: { inChannels: 16, outChannels: 16 } } };
      writeFileSync(path.join(dir, 'c16.json'), JSON.stringify(sixteen));
      const s16 = await writeSeededWeights(path.join(dir, 's16'), componentDefinitions, 7, sixteen.components);
      expect(() => py('scripts/train/transformer_init.py', path.join(dir, 'c16.json'), s16.transformer)).toThrow(/beyond the 64 patch values, got 0/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('train_transformer.py --workers', () => {
  // Two data-parallel processes (gloo all-reduce) draw the same samples and must end at the same
  // weights, step and RNG state as one process, so a run may resume with either.
  it('trains the same weights with 2 workers as with 1', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fp-train-dp-'));
    try {
      const smoke = JSON.parse(readFileSync(path.join(HERE, 'config.smoke.json'), 'utf8'));
      const seeded = await writeSeededWeights(path.join(dir, 'seeded'), componentDefinitions, 7, smoke.components);
      const channels: number = smoke.components.transformer.inChannels;
      smoke.transformer = { ...smoke.transformer, steps: 3, batch: 4, latentCacheClips: 3, checkpointEvery: 3, logEvery: 1 };
      const config = path.join(dir, 'config.json');
      writeFileSync(config, JSON.stringify(smoke));
      // A stand-in latent cache and conditioning (random, the shapes the real stages write).
      const makeRun = (run: string) => py('-c', [
        'import sys, torch', `sys.path.insert(0, ${JSON.stringify(path.join(REPO, 'scripts', 'reference'))})`, 'import st', 'import os',
        `run = ${JSON.stringify(run)}`, 'os.makedirs(run)', 'g = torch.Generator().manual_seed(5)',
        `torch.save(torch.randn(3, ${channels}, 37, 8, 12, generator=g), os.path.join(run, "latents.pt"))`,
        'st.save(os.path.join(run, "conditions.safetensors"), {"llama": torch.randn(2, 12, 64, generator=g), "llama_tokens": torch.tensor([7, 12], dtype=torch.int32),',
        '  "pooled": torch.randn(2, 32, generator=g), "prompt_of_clip": torch.tensor([0, 1, 1], dtype=torch.int32), "image_embeddings": torch.randn(3, 16, 48, generator=g)})',
      ].join('\n'));
      const runs = { one: path.join(dir, 'one'), two: path.join(dir, 'two') };
      for (const [name, run] of Object.entries(runs)) {
        makeRun(run);
        py('scripts/train/train_transformer.py', '--config', config, '--run', run, '--init', seeded.transformer, '--threads', '2', '--workers', name === 'one' ? '1' : '2');
      }
      const compare = JSON.parse(py('-c', [
        'import json, torch', `a = torch.load(${JSON.stringify(path.join(runs.one, 'transformer', 'latest.pt'))})`,
        `b = torch.load(${JSON.stringify(path.join(runs.two, 'transformer', 'latest.pt'))})`,
        'weight_diff = max(float((a["model"][k] - b["model"][k]).abs().max()) for k in a["model"])',
        'print(json.dumps({"steps": [a["step"], b["step"]], "maxWeightDiff": weight_diff, "sameRng": a["rng"]["data"] == b["rng"]["data"] and bool((a["rng"]["torch"] == b["rng"]["torch"]).all())}))',
      ].join('\n')));
      expect(compare.steps).toEqual([3, 3]);
      expect(compare.sameRng).toBe(true);
      expect(compare.maxWeightDiff).toBeLessThan(1e-5); // float summation order only
      // ...and training moved the weights at all (lr 3e-4 for 3 steps: Adam moves each by ~lr).
      const moved = Number(py('-c', [
        'import sys, torch', `sys.path.insert(0, ${JSON.stringify(path.join(REPO, 'scripts', 'reference'))})`, 'import st',
        `a = torch.load(${JSON.stringify(path.join(runs.one, 'transformer', 'latest.pt'))})["model"]`,
        `s = st.load(${JSON.stringify(seeded.transformer)})`,
        'print(max(float((a[k] - s[k].float()).abs().max()) for k in a))',
      ].join('\n')));
      expect(moved).toBeGreaterThan(1e-6);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
