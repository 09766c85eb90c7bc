// onnxruntime-node: its version, and for each execution provider (CPU, CUDA, TensorRT, WebGPU)
// whether this build lists it, whether its shared libraries are present, and whether it is
// *usable*: a session on a tiny graph built with our GraphBuilder is created and run, and its
// output compared with the expected numbers (WebGPU's in a child process: webgpu-probe.ts). The
// automatic choice is CUDA when usable, else WebGPU, else the CPU (provider-selection.ts).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import ort, { listSupportedBackends } from 'onnxruntime-node';
import { GraphBuilder } from '../onnx/graph.js';
import { serializeModel } from '../onnx/model-writer.js';
import { errorLine, fail, ok, warn, type Check } from './check.js';
import { diagnoseWebgpu, vulkanFacts, type VulkanFacts } from './vulkan-env.js';
import { probeWebgpuInChild, vulkanWarnings } from './webgpu-probe.js';

export const PROVIDERS = ['cpu', 'cuda', 'tensorrt', 'webgpu'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** Shared libraries onnxruntime-node's install script places beside the binding (script/install-metadata.js). */
export const PROVIDER_LIBRARIES: Record<ProviderName, string[]> = {
  cpu: [],
  cuda: ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'],
  tensorrt: ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_tensorrt.so'],
  webgpu: [],
};

/** Where onnxruntime-node keeps its native binding for this platform. */
export function ortBinaryDir(platform: string = process.platform, arch: string = process.arch): string {
  const pkgRoot = path.resolve(path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node')), '..');
  return path.join(pkgRoot, 'bin', 'napi-v6', platform, arch);
}

export function ortVersion(): string {
  return ort.env.versions.node ?? ort.env.versions.common ?? 'unknown';
}

export interface ProviderProbe {
  provider: ProviderName;
  /** Listed by listSupportedBackends(). */
  listed: boolean;
  bundled: boolean;
  /** Provider libraries expected beside the binding but absent. */
  missingLibraries: string[];
  usable: boolean;
  /** Why it is not usable (the ORT error's first line), or null. */
  error: string | null;
  /** Session creation + one run, ms. */
  probeMs: number | null;
  /** WebGPU: the missing piece of its Vulkan stack and the fix (vulkan-env.ts), when not usable. */
  missing?: string;
  fix?: string;
}

const PROBE_IN = 8;
const PROBE_OUT = 4;
/** W[i][j] = (i − j) / 8, x[b][i] = b + i / 4: small exact binary fractions, so every EP agrees exactly in fp32. */
const probeWeight = () => Float32Array.from({ length: PROBE_IN * PROBE_OUT }, (_, k) => (Math.floor(k / PROBE_OUT) - (k % PROBE_OUT)) / 8);
const probeInput = () => Float32Array.from({ length: 2 * PROBE_IN }, (_, k) => Math.floor(k / PROBE_IN) + (k % PROBE_IN) / 4);

/** relu(x · W) computed here, to check what the provider returns. */
export function probeExpected(): Float32Array {
  const w = probeWeight(); const x = probeInput();
  const y = new Float32Array(2 * PROBE_OUT);
  for (let b = 0; b < 2; b++) for (let j = 0; j < PROBE_OUT; j++) {
    let s = 0;
    for (let i = 0; i < PROBE_IN; i++) s += x[b * PROBE_IN + i]! * w[i * PROBE_OUT + j]!;
    y[b * PROBE_OUT + j] = Math.max(0, s);
  }
  return y;
}

let probeModel: Promise<Uint8Array> | undefined;
/** The probe graph: y = Relu(MatMul(x[2,8], W[8,4])). */
export function probeModelBytes(): Promise<Uint8Array> {
  probeModel ??= (() => {
    const g = new GraphBuilder('ep_probe');
    const x = g.input('x', 'float32', [2, PROBE_IN]);
    const w = g.constant('float32', [PROBE_IN, PROBE_OUT], probeWeight());
    g.output(g.op('Relu', [g.op('MatMul', [x, w])]), 'y', 'float32', [2, PROBE_OUT]);
    return serializeModel(g);
  })();
  return probeModel;
}

/** Creates a session with only `provider` (no silent CPU fallback), runs the probe, checks the numbers. */
export async function tryProvider(provider: ProviderName, timeoutMs = 60_000): Promise<{ usable: boolean; error: string | null; ms: number }> {
  if (provider === 'webgpu') return tryWebgpu(timeoutMs);
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const attempt = (async () => {
    const session = await ort.InferenceSession.create(await probeModelBytes(), { executionProviders: [provider], logSeverityLevel: 4, graphOptimizationLevel: 'disabled' });
    try {
      const out = await session.run({ x: new ort.Tensor('float32', probeInput(), [2, PROBE_IN]) });
      checkProbeOutput(out.y?.data as Float32Array | undefined, provider);
    } finally {
      await session.release();
    }
  })();
  try {
    await Promise.race([attempt, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs); })]);
    return { usable: true, error: null, ms: performance.now() - started };
  } catch (err: unknown) {
    return { usable: false, error: cleanOrtError(errorLine(err)), ms: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

function checkProbeOutput(y: Float32Array | null | undefined, provider: ProviderName): void {
  const want = probeExpected();
  if (!y || y.length !== want.length || y.some((v, i) => Math.abs(v - want[i]!) > 1e-5)) throw new Error(`the probe graph returned wrong numbers on ${provider}`);
}

/** The same probe on WebGPU, in a child process (webgpu-probe.ts says why); Vulkan's warnings are quoted on failure. */
async function tryWebgpu(timeoutMs: number): Promise<{ usable: boolean; error: string | null; ms: number }> {
  const r = await probeWebgpuInChild({ model: await probeModelBytes(), x: probeInput(), dims: [2, PROBE_IN] }, { timeoutMs: Math.min(timeoutMs, 20_000) });
  let error = r.error === null ? null : cleanOrtError(r.error);
  if (error === null) {
    try { checkProbeOutput(r.y, 'webgpu'); } catch (err: unknown) { error = errorLine(err); }
  }
  const warnings = vulkanWarnings(r.stderr);
  if (error !== null && warnings.length) error = `${error} (Vulkan: ${warnings.join('; ')})`;
  return { usable: error === null, error, ms: r.ms };
}

/** ORT's messages start with a source path and an assertion; keep the part a user can read. */
export function cleanOrtError(line: string): string {
  const afterAssert = /was false\.\s*(.+)$/.exec(line)?.[1];
  if (afterAssert) return afterAssert;
  return line.replace(/^\S*onnxruntime_src\S*:\d+\s+(\S+\s+)?/, '');
}

export interface ProbeDeps {
  backends?: () => { name: string; bundled: boolean }[];
  fileExists?: (p: string) => boolean;
  tryProvider?: (p: ProviderName) => Promise<{ usable: boolean; error: string | null; ms: number }>;
  binaryDir?: string;
  /** What the Vulkan stack below WebGPU has (default: read from this machine). */
  vulkan?: () => VulkanFacts;
  /** Probe only these providers (a job that names one needs no others); default all. */
  only?: readonly ProviderName[];
}

/** Probes every provider. Non-bundled ones are tried only when their libraries are present (else ORT prints loader noise). */
export async function probeProviders(deps: ProbeDeps = {}): Promise<ProviderProbe[]> {
  const listed = (deps.backends ?? listSupportedBackends)();
  const exists = deps.fileExists ?? existsSync;
  const attempt = deps.tryProvider ?? ((p: ProviderName) => tryProvider(p));
  const dir = deps.binaryDir ?? ortBinaryDir();
  const probes: ProviderProbe[] = [];
  for (const provider of PROVIDERS) {
    if (deps.only && !deps.only.includes(provider)) continue;
    const entry = listed.find((b) => b.name === provider);
    const missingLibraries = entry && !entry.bundled ? PROVIDER_LIBRARIES[provider].filter((lib) => !exists(path.join(dir, lib))) : [];
    const probe: ProviderProbe = { provider, listed: !!entry, bundled: entry?.bundled ?? false, missingLibraries, usable: false, error: null, probeMs: null };
    if (!entry) probe.error = 'not in this onnxruntime-node build';
    else if (provider === 'webgpu') Object.assign(probe, await probeWebgpu(deps, attempt));
    else if (missingLibraries.length) probe.error = `missing ${missingLibraries.join(', ')} in ${dir}`;
    else {
      const r = await attempt(provider);
      Object.assign(probe, { usable: r.usable, error: r.error, probeMs: Math.round(r.ms) });
    }
    probes.push(probe);
  }
  return probes;
}

/** WebGPU: decided from the Vulkan stack alone when a piece is plainly missing, else by a probe session. */
async function probeWebgpu(deps: ProbeDeps, attempt: NonNullable<ProbeDeps['tryProvider']>): Promise<Partial<ProviderProbe>> {
  const facts = (deps.vulkan ?? (() => vulkanFacts()))();
  const before = diagnoseWebgpu(facts);
  if (before?.blocking) return { usable: false, error: before.missing, missing: before.missing, fix: before.fix };
  const r = await attempt('webgpu');
  if (r.usable) return { usable: true, error: null, probeMs: Math.round(r.ms) };
  const after = diagnoseWebgpu(facts, r.error ?? 'not usable');
  return { usable: false, error: r.error, probeMs: Math.round(r.ms), ...(after ? { missing: after.missing, fix: after.fix } : {}) };
}

/** The automatic choice: CUDA when usable, else WebGPU when its probe found an adapter and ran, else the CPU. */
export function pickExecutionProvider(probes: readonly ProviderProbe[]): 'cuda' | 'webgpu' | 'cpu' {
  if (probes.some((p) => p.provider === 'cuda' && p.usable)) return 'cuda';
  if (probes.some((p) => p.provider === 'webgpu' && p.usable)) return 'webgpu';
  return 'cpu';
}

export function checkOrtVersion(version: string = ortVersion(), pinned = '1.30.0'): Check {
  if (version === pinned) return ok('ort.version', `onnxruntime-node ${version}`, { version });
  return warn('ort.version', `onnxruntime-node ${version}, but this project pins ${pinned}`, 'run `npm ci` to restore the pinned version', { version, pinned });
}

/**
 * One check per provider. Statuses depend on whether an NVIDIA GPU is present: without one, a
 * missing CUDA/TensorRT provider is expected (ok); with one, missing CUDA is a warning whose fix
 * is `framepack setup gpu`. The CPU provider failing is the only hard failure.
 */
export function providerChecks(probes: readonly ProviderProbe[], gpuPresent: boolean): Check[] {
  const checks: Check[] = [];
  for (const p of probes) {
    const id = `ort.ep.${p.provider}`;
    const details = { ...p } as Record<string, unknown>;
    if (p.usable) { checks.push(ok(id, `${p.provider}: usable (probe session ran in ${p.probeMs} ms)`, details)); continue; }
    const why = p.error ?? 'not usable';
    switch (p.provider) {
      case 'cpu':
        checks.push(fail(id, `cpu: not usable (${why})`, 'reinstall dependencies with `npm ci`; the CPU provider ships inside onnxruntime-node', details));
        break;
      case 'cuda':
        checks.push(gpuPresent
          ? warn(id, `cuda: not usable (${why})`, p.missingLibraries.length ? 'run `framepack setup gpu` (downloads the CUDA provider onnxruntime-node skips at install; see docs/doctor.md for the offline steps)' : 'install CUDA 12 and cuDNN 9 runtime libraries so the loader finds them (ldconfig / LD_LIBRARY_PATH), then re-run `framepack doctor`', details)
          : ok(id, `cuda: not installed (not needed: no NVIDIA GPU found)`, details));
        break;
      case 'tensorrt':
        checks.push(ok(id, `tensorrt: not usable (${why}); optional, not used by framepack yet`, details));
        break;
      case 'webgpu': {
        // With a GPU this is the no-download route, so a missing piece is worth a warning; without
        // one the finding still names the missing piece (status ok: nothing to act on).
        const missing = p.missing ?? why;
        const fix = p.fix ?? 'see docs/gpu.md';
        checks.push(gpuPresent && !probes.some((q) => q.provider === 'cuda' && q.usable)
          ? warn(id, `webgpu: not usable: ${missing}`, fix, details)
          : ok(id, `webgpu: not usable: ${missing}${gpuPresent ? ' (CUDA is used instead)' : ' (no NVIDIA GPU found)'}; to enable it: ${fix}`, details));
        break;
      }
    }
  }
  const chosen = pickExecutionProvider(probes);
  checks.push(chosen !== 'cpu'
    ? ok('ort.provider', `generation runs on ${chosen}`, { provider: chosen })
    : gpuPresent
      ? warn('ort.provider', 'generation runs on the cpu although an NVIDIA GPU is present', 'make WebGPU (no download: see ort.ep.webgpu) or CUDA (see ort.ep.cuda) usable', { provider: chosen })
      : ok('ort.provider', 'generation runs on the cpu (no NVIDIA GPU found)', { provider: chosen }));
  return checks;
}
