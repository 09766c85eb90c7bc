// `framepack doctor`: runs every check group in a fixed order and returns the list, which the CLI
// prints as text or `--json`, and the daemon runs at start and serves to the Diagnostics view.
// Order matters only for dependencies: the GPU query decides how EP failures are judged, and the
// selected bundle's footprint is what memory and VRAM are compared with.
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_MODEL, resolveModelDir } from '../engine/pipeline/model-location.js';
import { readManifest, type VerifyMode } from '../models/bundle/load-bundle.js';
import type { Manifest } from '../models/bundle/manifest.js';
import { installModelsDir } from '../models/manage/models-dir.js';
import { queryGpus, type GpuQuery, type NvidiaSmiOptions } from '../telemetry/nvidia-smi.js';
import { bundleChecks } from './bundle-checks.js';
import { errorLine, GiB, warn, worst, type Check, type CheckStatus } from './check.js';
import { gpuChecks } from './gpu-checks.js';
import { checkFfmpeg } from './media-checks.js';
import { checkOrtVersion, pickExecutionProvider, probeProviders, providerChecks, type ProbeDeps, type ProviderProbe } from './ort-checks.js';
import { checkReferenceGeneration } from './reference-run.js';
import { checkDisk, checkMemory, checkNodeVersion, checkSocketDir, readMemoryInfo } from './system-checks.js';

export interface DoctorOptions {
  env?: NodeJS.ProcessEnv;
  /** Bundle whose footprint memory/VRAM are judged against (default framepack-tiny). */
  model?: string;
  /** Where videos go (default ./outputs). */
  outputDir?: string;
  /** Hash every bundle file instead of trusting the verified cache. */
  fullVerify?: boolean;
  /** Skip the reference generation (fast start-up checks). */
  skipGeneration?: boolean;
  /** Record the reference checksum for this platform instead of comparing. */
  recordReference?: boolean;
  nvidiaSmi?: NvidiaSmiOptions;
  probe?: ProbeDeps;
  /** Called as each check finishes (the CLI prints progressively). */
  onCheck?: (c: Check) => void;
  /** Checks of the daemon's own services (a shared queue's Redis, daemon/cluster/worker.ts). */
  serviceChecks?: () => Promise<Check[]>;
}

export interface DoctorReport {
  status: CheckStatus;
  /** The execution provider the daemon would use. */
  provider: 'cuda' | 'webgpu' | 'cpu';
  checks: Check[];
  host: { platform: string; arch: string; cpus: number; hostname: string };
  gpus: GpuQuery;
  providers: ProviderProbe[];
}

export const DATA_MIN_FREE_BYTES = 5 * GiB;
export const OUTPUT_MIN_FREE_BYTES = 1 * GiB;

export async function runDoctor(opts: DoctorOptions = {}): Promise<DoctorReport> {
  const env = opts.env ?? process.env;
  const checks: Check[] = [];
  const add = (...cs: Check[]) => { for (const c of cs) { checks.push(c); opts.onCheck?.(c); } };

  add(checkNodeVersion());
  add(checkOrtVersion());
  const gpus = await queryGpus({ env, ...opts.nvidiaSmi });
  const providers = await probeProviders(opts.probe);
  add(...providerChecks(providers, gpus.available && gpus.gpus.length > 0));

  const model = opts.model ?? DEFAULT_MODEL;
  let manifest: Manifest | null = null;
  try {
    manifest = await readManifest(await resolveModelDir(model, env));
  } catch (err: unknown) {
    add(warn('bundle.selected', `cannot read bundle '${model}': ${errorLine(err)}`, 'pick an installed bundle with --model (see `framepack models ls`)'));
  }
  add(...gpuChecks(gpus, manifest));
  add(checkMemory(await readMemoryInfo(), manifest));
  add(await checkDisk('disk.data', 'models folder', installModelsDir(env), DATA_MIN_FREE_BYTES));
  add(await checkDisk('disk.output', 'output folder', path.resolve(opts.outputDir ?? 'outputs'), OUTPUT_MIN_FREE_BYTES));
  add(await checkFfmpeg());
  add(await checkSocketDir({ env }));
  if (opts.serviceChecks) add(...(await opts.serviceChecks()));
  add(...(await bundleChecks({ env, verify: opts.fullVerify ? 'full' : ('cached' satisfies VerifyMode) })));
  const provider = pickExecutionProvider(providers);
  if (!opts.skipGeneration) {
    const blocking = checks.find((c) => c.status === 'fail' && (c.id === `bundle.${DEFAULT_MODEL}` || c.id === 'ffmpeg' || c.id === 'ort.ep.cpu'));
    add(blocking
      ? { id: 'reference.generation', status: 'fail', finding: `skipped: ${blocking.id} failed`, fix: blocking.fix }
      : await checkReferenceGeneration({ provider, record: opts.recordReference === true }));
  }
  return {
    status: worst(checks), provider, checks, gpus, providers,
    host: { platform: process.platform, arch: process.arch, cpus: os.availableParallelism(), hostname: os.hostname() },
  };
}

const MARK: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' };

/** One line per check, a fix line under each that has one, and a summary. */
export function formatCheck(c: Check): string {
  return `[${MARK[c.status]}] ${c.id}: ${c.finding}${c.fix ? `\n       fix: ${c.fix}` : ''}`;
}

export function formatSummary(r: DoctorReport): string {
  const count = (s: CheckStatus) => r.checks.filter((c) => c.status === s).length;
  return `${r.status === 'ok' ? 'all good' : r.status === 'warn' ? 'usable, with warnings' : 'problems found'}: ${count('ok')} ok, ${count('warn')} warning(s), ${count('fail')} failure(s); generation runs on ${r.provider}\n`;
}

export function formatReport(r: DoctorReport): string {
  return `${r.checks.map(formatCheck).join('\n')}\n\n${formatSummary(r)}`;
}
