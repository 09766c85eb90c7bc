// `framepack plan`: what a `generate` with the same flags would do, without running a model. The
// input image is only decoded for its size; the prompt is only tokenized (for the text-token count).
import path from 'node:path';
import { siglipConfigSchema, siglipPatchesPerSide } from '../models/image/siglip-config.js';
import type { Manifest } from '../models/bundle/manifest.js';
import type { LoadedLora } from '../models/lora/lora-load.js';
import { encodeLlamaPrompt } from '../models/tokenizer/prompt-encoding.js';
import { loadTokenizer } from '../models/tokenizer/tokenizer.js';
import { loadInputImage } from '../media/image-input.js';
import { layoutJob, type JobLayout } from '../engine/pipeline/job-plan.js';
import type { JobSpec } from '../engine/pipeline/job-spec.js';
import { timestepForSigma } from '../engine/sigmas.js';
import type { SectionPlan } from '../engine/section-plan.js';
import { parseFlags } from './args.js';
import { loadConfig } from '../config.js';
import { daemonMemoryDeps, memoryView, planJobMemory } from '../residency/memory-admission.js';
import type { PlannedMemory } from '../../shared/protocol/index.js';
import { EXIT_OK, UsageError } from './errors.js';
import { formatMemoryPlan } from './memory-format.js';
import { directingJson, directingText } from './directing-plan-format.js';
import { directingFor } from '../engine/pipeline/job-directing.js';
import { checkDirectingImages } from '../engine/pipeline/directing-inputs.js';
import type { DirectingPlan } from '../engine/pipeline/section-conditioning.js';
import { ALL_JOB_OPTIONS, JOB_FLAGS_HELP, resolveJob } from './job-args.js';
import { daemonPlanTime } from './plan-estimate.js';
import { describeBucketClass } from '../engine/bucket-class.js';
import { ExtensionSourceError, openExtensionSource } from '../engine/pipeline/extension-source.js';
import { checkLoraFlags, loraJson, loraText } from './lora-plan.js';
import { checkedLoraBytes } from '../models/lora/lora-memory.js';

/** The layout of the job: from the image's size, or an extension's source (its video is read). */
async function planLayout(spec: JobSpec, manifest: Manifest): Promise<JobLayout> {
  if (spec.extendVideo === null) {
    const image = await loadInputImage(spec.imagePath);
    return layoutJob(spec, manifest, { width: image.width, height: image.height });
  }
  try {
    const source = await openExtensionSource(spec, manifest);
    return layoutJob(spec, manifest, source.input, undefined, source.layout);
  } catch (err: unknown) {
    if (err instanceof ExtensionSourceError) throw new UsageError(err.message);
    throw err;
  }
}

export const PLAN_HELP = `Usage: framepack plan --image PATH --prompt TEXT [flags]

Prints what \`framepack generate\` with the same flags would do, without running a model: the
bucket, the sections in generation and display order with their latent padding and RoPE index
lists, tokens per transformer call, total frames and duration, the σ schedule, each --lora
(checked as generate checks it, with what it adapts), and the memory plan: how the components
would be held on this machine's device (FRAMEPACK_EP, else the CPU's RAM), the expected peak per
component, and whether it fits what the device has free now less the daemon's preserved headroom
(--preserve-vram / FRAMEPACK_PRESERVE_VRAM, --device-memory) — the same check that refuses a job
at submit (docs/memory.md). Components a running daemon already holds are not counted as free
here; \`framepack ps\` shows the daemon's own view. The last line is the time the whole job would
take (sampling, decode, append and video encode of every section), from the newest finished job of
the model, asked of the running daemon (jobs.plan) — the figure the dashboard's new-job form
shows; model loading is not counted.

${JOB_FLAGS_HELP}

generate's -o/--out, --overwrite, --no-partials, --wait, --detach, --queue, --provider and --local
are accepted and ignored, so the same command line works for both. --extend-job is refused (only
the daemon has the job's latents): plan --extend <the job's .mp4> shows the same sections.`;

/** Tokens the transformer sees besides the image side: image-projection tokens and prompt tokens. */
async function textSideTokens(manifest: Manifest, modelDir: string, prompt: string): Promise<{ imageTokens: number; textTokens: number }> {
  const siglip = siglipConfigSchema.parse(manifest.components.image_encoder.config);
  const imageTokens = siglipPatchesPerSide(siglip) ** 2;
  const file = manifest.components.tokenizer.files.find((f) => f.path.endsWith('tokenizer.json'));
  if (!file) throw new Error(`bundle ${manifest.name} has no tokenizer.json`);
  const tokenizer = await loadTokenizer(path.join(modelDir, ...file.path.split('/')));
  const bos = '<|begin_of_text|>';
  const enc = encodeLlamaPrompt(tokenizer, prompt, {
    template: manifest.text.llamaTemplate, maxUserTokens: manifest.text.maxUserTokens,
    ...(tokenizer.tokenToId(bos) !== undefined ? { bosToken: bos } : {}),
  });
  return { imageTokens, textTokens: enc.keepEnd - enc.keepStart };
}

function sectionJson(s: SectionPlan, extra: { imageTokens: number; textTokens: number }) {
  return {
    generationIndex: s.generationIndex,
    displayIndex: s.displayIndex,
    latentPadding: s.latentPadding,
    isLast: s.isLast,
    indices: { latent: s.indices.latent, clean: s.indices.clean, clean2x: s.indices.clean2x, clean4x: s.indices.clean4x, blank: s.indices.blank },
    context: s.context,
    historyBefore: s.historyBefore,
    newLatentFrames: s.newLatentFrames,
    prependsStartLatent: s.prependsStartLatent,
    historyUpdate: s.historyUpdate,
    historyAfter: s.historyAfter,
    tokens: { ...s.tokens, imageEmbedding: extra.imageTokens, text: extra.textTokens, packed: s.tokens.imageSide + extra.imageTokens + extra.textTokens },
    decode: s.decode,
  };
}

export function planJson(spec: JobSpec, manifest: Manifest, layout: JobLayout, extra: { imageTokens: number; textTokens: number }, memory?: PlannedMemory, loras: readonly LoadedLora[] = []) {
  const { plan, schedule } = layout;
  const sigmas = Array.from(schedule.sigmas);
  return {
    model: manifest.name,
    mode: plan.mode,
    input: layout.input,
    bucket: { width: layout.bucket.widthPx, height: layout.bucket.heightPx },
    bucketClass: { resolution: layout.bucketClass.resolution, native: layout.bucketClass.native, offDistribution: layout.bucketClass.offDistribution },
    ...('extension' in plan ? { extension: plan.extension } : {}),
    resize: { resize: layout.resize.resize, width: layout.resize.resizedWidthPx, height: layout.resize.resizedHeightPx, cropBox: layout.resize.cropBox },
    latent: layout.latent,
    windowSize: plan.latentWindowSize,
    sectionCount: plan.sectionCount,
    latentPaddings: plan.latentPaddings,
    sections: plan.sections.map((s) => sectionJson(s, extra)),
    displayOrder: [...plan.sections].sort((a, b) => a.displayIndex - b.displayIndex).map((s) => s.generationIndex),
    totalLatentFrames: plan.totalLatentFrames,
    totalFrames: plan.totalFrames,
    fps: plan.fps,
    durationSeconds: plan.durationSeconds,
    sampler: spec.sampler,
    steps: spec.steps,
    shift: schedule.shift,
    mu: schedule.mu,
    seqLen: schedule.seqLen,
    sigmas,
    // What the transformer sees (σ = 0 is never evaluated).
    timesteps: sigmas.slice(0, -1).map(timestepForSigma),
    guidance: { gs: spec.gs, cfg: spec.cfg, rs: spec.rs },
    teacache: { enabled: spec.teacache, threshold: spec.teacacheThreshold },
    cache: spec.cache === 'mag' ? { kind: 'mag' as const, threshold: spec.magcacheThreshold, maxSkips: spec.magcacheMaxSkips, retention: spec.magcacheRetention } : { kind: spec.cache },
    seed: spec.seed,
    loras: loras.map(loraJson),
    directing: directingJson(spec, directingFor(spec)),
    ...(memory ? { memory } : {}),
  };
}

const range = (xs: readonly number[]): string => (xs.length === 0 ? '–' : xs.length <= 2 ? xs.join(',') : `${xs[0]}–${xs[xs.length - 1]}`);

export function planText(p: ReturnType<typeof planJson>, directing: DirectingPlan): string {
  const lines: string[] = [];
  const t = p.sections[0]!.tokens;
  lines.push(`model     ${p.model} (${p.mode})`);
  lines.push(`bucket    ${p.bucket.width}×${p.bucket.height} (W×H) from a ${p.input.width}×${p.input.height} ${p.extension ? 'video' : 'image'}${p.resize.resize ? `, resized to ${p.resize.width}×${p.resize.height} and centre-cropped` : ''}; ${describeBucketClass(p.bucketClass)}`);
  if (p.extension) lines.push(`extend    ${p.extension.videoFrames} source frames kept, its last ${p.extension.contextLatents} latents as context, ${p.extension.seamFrames} frames blended at the seam, ${p.extension.newFrames} new frames (F1 order)`);
  lines.push(`latent    ${p.latent.width}×${p.latent.height}, ${p.latent.channels} channels, window ${p.windowSize}`);
  lines.push(`video     ${p.sectionCount} section(s), ${p.totalFrames} frames = ${p.durationSeconds.toFixed(2)} s at ${p.fps} fps (${p.totalLatentFrames} latent frames)`);
  lines.push(`tokens    per call: noisy ${t.noisy} + clean ${t.clean} + 2× ${t.clean2x} + 4× ${t.clean4x} = ${t.imageSide} image-side, + ${t.imageEmbedding} image + ${t.text} text = ${t.packed}`);
  lines.push(`sampler   ${p.sampler}, ${p.steps} steps, shift ${p.shift.toFixed(4)} (μ ${p.mu.toFixed(4)}, seq len ${p.seqLen}); gs ${p.guidance.gs}, cfg ${p.guidance.cfg}, rs ${p.guidance.rs}; ${p.cache.kind === 'mag' ? `MagCache (threshold ${p.cache.threshold}, ${p.cache.maxSkips} skips, retention ${p.cache.retention})` : `TeaCache ${p.teacache.enabled ? `on (${p.teacache.threshold})` : 'off'}`}; seed ${p.seed}`);
  lines.push(...loraText(p.loras));
  lines.push('');
  lines.push('gen  disp  pad  latent   clean    2×       4×       new  history  decode   frames');
  for (const s of p.sections) {
    lines.push([
      String(s.generationIndex + 1).padStart(3), String(s.displayIndex + 1).padStart(5), String(s.latentPadding).padStart(4),
      ` ${range(s.indices.latent).padEnd(8)}`, range(s.indices.clean).padEnd(8), range(s.indices.clean2x).padEnd(8), range(s.indices.clean4x).padEnd(8),
      String(s.newLatentFrames).padStart(3), String(s.historyAfter).padStart(8), `  ${`${s.decode.from}–${s.decode.to}`.padEnd(7)}`, String(s.decode.totalFrames).padStart(6),
    ].join(' '));
  }
  lines.push(`display order (first → last in the video): sections ${p.displayOrder.map((g) => g + 1).join(', ')}`);
  lines.push(...directingText(p.directing, directing));
  lines.push('');
  lines.push(`sigmas    ${p.sigmas.map((s) => s.toFixed(6)).join(' ')}`);
  lines.push(`timesteps ${p.timesteps.join(' ')}`);
  if (p.memory) {
    const [head, ...rest] = formatMemoryPlan(p.memory, '          ');
    lines.push('', `memory    ${head}`, ...rest);
  }
  return `${lines.join('\n')}\n`;
}

export async function runPlanCommand(argv: string[], io: { stdout: NodeJS.WritableStream } = { stdout: process.stdout }): Promise<number> {
  const { values } = parseFlags('plan', argv, ALL_JOB_OPTIONS);
  if (values.help) {
    io.stdout.write(`${PLAN_HELP}\n`);
    return EXIT_OK;
  }
  const { spec, manifest, modelDir, extendJob } = await resolveJob(values);
  if (extendJob !== undefined) throw new UsageError('plan cannot read a daemon job\'s latents; plan --extend <the job\'s .mp4> shows the same sections');
  // The same checks as generate's submit: a LoRA that generate would refuse is refused here.
  const loras = await checkLoraFlags(manifest, spec.loras ?? []);
  await checkDirectingImages(spec).catch((err: unknown) => { throw new UsageError((err as Error).message); });
  const layout = await planLayout(spec, manifest);
  const config = loadConfig([], process.env);
  const deps = daemonMemoryDeps({ preserveBytes: config.preserveVramBytes, deviceMemoryBytes: config.deviceMemoryBytes, resident: () => [] });
  const memory = memoryView(await planJobMemory(deps, manifest, { width: layout.bucket.widthPx, height: layout.bucket.heightPx }, spec.windowSize, checkedLoraBytes(manifest, loras)));
  const json = planJson(spec, manifest, layout, await textSideTokens(manifest, modelDir, spec.prompt), memory, loras);
  const time = await daemonPlanTime(spec, manifest.name);
  io.stdout.write(values.json ? `${JSON.stringify({ ...json, estimate: time.estimate })}\n` : `${planText(json, directingFor(spec))}time      ${time.line}\n`);
  return EXIT_OK;
}
