// `npm run bench -- lora [--bundle DIR] [--lora FILE[:S]]… [--steps N] [--streamed] [--json]`: what a LoRA set costs
// the way the daemon applies it (engine/lora-sessions.ts), on a fresh cache folder:
//   base load      the bundle's five transformer sessions opened (what every daemon does once);
//                  --streamed: the blocks as the bundle's block groups (the stream-blocks plan)
//   variant build  the set's graphs patched and written into a fresh cache folder, alone (with
//                  the block groups of a bundle built with --block-groups), and its bytes on disk
//                  that are not shared with the bundle (hard-linked .onnx.data excluded)
//   first job      a job with a new set: files hashed, variant graphs built into the cache, sessions reopened
//   repeat job     the next job with the same set: files hashed, nothing else (sessions stay)
//   cached switch  back to no LoRAs and then to the set again: the cached variant reopened
// then the README job (1 s, --steps, TeaCache off) without and with the set: seconds per step
// (all resident; not run with --streamed).
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadBundle } from '../../daemon/models/bundle/load-bundle.js';
import { openTransformerSessions } from '../../daemon/engine/pipeline/sessions.js';
import { stepChainLocations } from '../../daemon/engine/pipeline/step-chain.js';
import { bundleGroupFiles, bundleTransformerFiles, switchTransformerLoras, type TransformerState } from '../../daemon/engine/lora-sessions.js';
import { resolveJobSpec } from '../../daemon/engine/pipeline/job-spec.js';
import { generateVideo } from '../../daemon/engine/pipeline/pipeline.js';
import { parseLoraArg } from '../../shared/domain/lora.js';
import type { TransformerGraphName } from '../../daemon/models/transformer/graphs.js';
import { loraVariant } from '../../daemon/models/lora/lora-variant.js';

const root = path.resolve(import.meta.dirname, '../..');

export async function runLoraBench(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv.slice(1), options: {
    bundle: { type: 'string', default: path.join(root, 'models', 'framepack-tiny') },
    lora: { type: 'string', multiple: true },
    steps: { type: 'string', default: '8' },
    streamed: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  } });
  const loras = (values.lora?.length ? values.lora : [path.join(root, 'test/fixtures/lora/blue-kohya.safetensors')])
    .map((t) => { const l = parseLoraArg(t); return { path: path.resolve(l.path), strength: l.strength }; });
  const cache = await mkdtemp(path.join(os.tmpdir(), 'fp-lora-bench-'));
  process.env.FRAMEPACK_LORA_CACHE_DIR = cache;
  const rows: { what: string; ms: number }[] = [];
  const report = (what: string, ms: number) => {
    rows.push({ what, ms });
    console.log(values.json ? JSON.stringify({ what, ms: Math.round(ms * 10) / 10 }) : `${what.padEnd(44)} ${ms.toFixed(1).padStart(9)} ms`);
  };
  try {
    const bundle = await loadBundle(path.resolve(values.bundle), { verify: 'none' });
    const groups = bundleGroupFiles(bundle);
    if (values.streamed && !groups.length) throw new Error(`--streamed needs a bundle built with --block-groups K (${values.bundle} has none)`);
    const open = (files: Record<TransformerGraphName, string>, groupFiles: readonly string[]) => openTransformerSessions(files, { executionProviders: ['cpu'] }, stepChainLocations('cpu', { teacache: true }), values.streamed ? groupFiles : undefined);
    let t = performance.now();
    let state: TransformerState = { sessions: await open(bundleTransformerFiles(bundle), groups), loraKey: '' };
    report(values.streamed ? `base load (4 sessions + ${groups.length} block groups streamed)` : 'base load (5 transformer sessions)', performance.now() - t);
    const step = async (what: string, set: typeof loras) => {
      t = performance.now();
      const next = await switchTransformerLoras(state, bundle, set, open, () => {});
      if (next) state = next;
      report(what, performance.now() - t);
    };
    t = performance.now();
    const v = await loraVariant(bundle, loras, path.join(cache, 'build-only'));
    report(`variant build alone (hash + patch ${v.patchedGraphs.length + v.patchedGroups.length} graphs + write)`, performance.now() - t);
    // What the entry adds to the disk: its own files; a hard-linked .onnx.data is the bundle's bytes.
    const entry = path.join(cache, 'build-only', v.key);
    let own = 0;
    let groupBytes = 0;
    for (const name of await readdir(entry)) {
      const st = await stat(path.join(entry, name));
      if (st.nlink > 1) continue;
      own += st.size;
      if (/_g\d+\.onnx$/.test(name)) groupBytes += st.size;
    }
    const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
    console.log(values.json ? JSON.stringify({ what: 'variant bytes on disk', bytes: own, groupBytes }) : `${'variant bytes on disk (not shared)'.padEnd(44)} ${kib(own).padStart(12)} (block groups ${kib(groupBytes)})`);
    await step(`first job with ${loras.length} LoRA(s) (build + open)`, loras);
    await step('repeat job, same set (key only; hash remembered)', loras);
    await step('back to no LoRAs (reopen the bundle graphs)', []);
    await step('the set again, cached variant (key + open)', loras);
    await Promise.all(Object.values(state.sessions).map((s) => s.release()));

    const steps = Number(values.steps);
    // generateVideo opens its own sessions, resident: its per-step figures would not be the streamed form's.
    for (const set of values.streamed ? [] : [[], loras]) {
      const spec = resolveJobSpec({
        imagePath: path.join(root, 'docs/examples/start.png'), prompt: 'a red circle moves to the right on a yellow background',
        seconds: 1, steps, teacache: false, ...(set.length ? { loras: set } : {}),
      }, bundle.manifest, 'framepack-tiny');
      let perStep = 0;
      await generateVideo(spec, { bundle, out: path.join(cache, `job-${set.length}.mp4`), partials: false, executionProvider: 'cpu', onEvent: (e) => { if (e.type === 'step') perStep = e.secondsPerStep; } });
      report(`job ${set.length ? 'with' : 'without'} the LoRA(s): per step`, perStep * 1000);
    }
    return 0;
  } finally {
    await rm(cache, { recursive: true, force: true });
  }
}
