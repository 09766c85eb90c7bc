// Which execution provider runs the models, and one line saying why. Asked for by name (`cpu`,
// `cuda`, `webgpu`: FRAMEPACK_EP, the `provider` setting, `generate --local --provider`) or
// `auto` (the default): CUDA when its provider library loads and ran the probe session, else
// WebGPU when Dawn found an adapter and ran it, else the CPU. A provider asked for by name that
// is not usable is an error for a single `--local` job (ProviderUnavailableError, doctor-style:
// the missing piece and the fix); the daemon instead falls back to the CPU and says so in its
// reason, so it stays up and `daemon status` / doctor show what to fix.
import type { ExecutionProviderInfo } from '../../shared/protocol/index.js';
import { pickExecutionProvider, probeProviders, type ProbeDeps, type ProviderProbe } from './ort-checks.js';

export const PROVIDER_REQUESTS = ['auto', 'cpu', 'cuda', 'webgpu'] as const;
export type ProviderRequest = (typeof PROVIDER_REQUESTS)[number];
export type RunProvider = Exclude<ProviderRequest, 'auto'>;

export interface ProviderSelection {
  info: ExecutionProviderInfo;
  probes: ProviderProbe[];
}

/** A provider named by the user that this machine cannot run; the message names the missing piece and the fix. */
export class ProviderUnavailableError extends Error {
  override readonly name = 'ProviderUnavailableError';
  constructor(readonly provider: RunProvider, readonly missing: string, readonly fix: string) {
    // One line: the CLI prints only an error's first line.
    super(`execution provider '${provider}' is not usable here: ${missing} — fix: ${fix}`);
  }
}

/** `where` names the source in the error ('FRAMEPACK_EP', '--provider', 'setting provider'). */
export function parseProviderRequest(text: string | undefined, where: string): ProviderRequest | undefined {
  if (text === undefined || text === '') return undefined;
  const v = text.trim().toLowerCase();
  if ((PROVIDER_REQUESTS as readonly string[]).includes(v)) return v as ProviderRequest;
  throw new Error(`${where} must be one of ${PROVIDER_REQUESTS.join(', ')} (got ${JSON.stringify(text)})`);
}

const LABEL: Record<RunProvider, string> = { cpu: 'the CPU', cuda: 'CUDA', webgpu: 'WebGPU' };

/** One clause per provider: what its probe said. */
export function probeVerdict(probes: readonly ProviderProbe[], provider: RunProvider): string {
  const p = probes.find((x) => x.provider === provider);
  if (!p) return `${LABEL[provider]} was not probed`;
  if (p.usable) {
    const ms = p.probeMs != null ? ` in ${p.probeMs} ms` : '';
    return provider === 'webgpu' ? `WebGPU found an adapter and ran the probe session${ms}` : `the ${provider === 'cuda' ? 'CUDA' : 'CPU'} provider ran the probe session${ms}`;
  }
  const why = p.missing ?? p.error ?? 'not usable';
  return provider === 'webgpu' ? `WebGPU is not usable (${why})` : `the ${provider === 'cuda' ? 'CUDA' : 'CPU'} provider is not usable (${why})`;
}

/** The missing piece and the fix for an unusable provider, as doctor says them. */
export function providerFix(probes: readonly ProviderProbe[], provider: RunProvider): { missing: string; fix: string } {
  const p = probes.find((x) => x.provider === provider);
  const missing = p?.missing ?? p?.error ?? 'not probed';
  if (p?.fix) return { missing, fix: p.fix };
  if (provider === 'cuda') {
    return { missing, fix: p?.missingLibraries.length ? 'run `framepack setup gpu` (downloads the CUDA provider; docs/gpu.md), or use --provider webgpu' : 'install the CUDA and cuDNN 9 runtime libraries the provider links (ldconfig / LD_LIBRARY_PATH); `framepack doctor` shows the probe' };
  }
  return { missing, fix: provider === 'webgpu' ? 'see `framepack doctor` (ort.ep.webgpu) and docs/gpu.md' : 'reinstall dependencies with `npm ci`' };
}

/** Pure: the choice and its reason from the probes, the request and the engine kind. */
export function selectProvider(probes: readonly ProviderProbe[], opts: { override?: string | undefined; request?: ProviderRequest | undefined; source?: string; engine: string }): ExecutionProviderInfo {
  const summary = probes.filter((p) => p.provider !== 'tensorrt').map((p) => ({ provider: p.provider, usable: p.usable, error: (p.missing ?? p.error)?.slice(0, 2000) ?? null }));
  const request = opts.request ?? parseProviderRequest(opts.override, 'FRAMEPACK_EP') ?? 'auto';
  const source = opts.source ?? 'FRAMEPACK_EP';
  let name: RunProvider;
  let reason: string;
  if (request === 'auto') {
    name = pickExecutionProvider(probes);
    const clauses = name === 'cuda' ? [probeVerdict(probes, 'cuda')]
      : name === 'webgpu' ? [probeVerdict(probes, 'cuda'), probeVerdict(probes, 'webgpu')]
        : [probeVerdict(probes, 'cuda'), probeVerdict(probes, 'webgpu'), 'running on the CPU'];
    reason = clauses.join('; ');
  } else if (request === 'cpu' || probes.some((p) => p.provider === request && p.usable)) {
    name = request;
    reason = `${source}=${request} (probe: ${probeVerdict(probes, request)})`;
  } else {
    name = 'cpu';
    const { fix } = providerFix(probes, request);
    reason = `${source}=${request}, but ${probeVerdict(probes, request)}; fix: ${fix}; running on the CPU`;
  }
  if (opts.engine === 'fake') reason = `fake engine (runs no model); ${reason}`;
  return { name, reason: reason.slice(0, 2000), probes: summary };
}

/**
 * For a single job (`generate --local`): the provider to open sessions on. A named provider that
 * is not usable throws ProviderUnavailableError instead of quietly running on the CPU.
 */
export function resolveForJob(probes: readonly ProviderProbe[], request: ProviderRequest, source = '--provider'): ExecutionProviderInfo {
  if (request !== 'auto' && request !== 'cpu' && !probes.some((p) => p.provider === request && p.usable)) {
    const { missing, fix } = providerFix(probes, request);
    throw new ProviderUnavailableError(request, missing, fix);
  }
  return selectProvider(probes, { request, source, engine: 'onnx' });
}

/** Which providers a request needs probed: all for auto, else only the one named (CPU needs none). */
export function providersToProbe(request: ProviderRequest): ProviderProbe['provider'][] {
  return request === 'auto' ? ['cpu', 'cuda', 'webgpu'] : request === 'cpu' ? [] : [request];
}

/** Probes every provider once (the CPU probe takes ~100 ms; CUDA's first session longer) and selects. */
export async function probeAndSelect(opts: { override?: string | undefined; source?: string; engine: string; probe?: () => Promise<ProviderProbe[]> }): Promise<ProviderSelection> {
  const probes = await (opts.probe ?? (() => probeProviders()))();
  return { info: selectProvider(probes, opts), probes };
}

/** Probe deps for the doctor that reuse the start-up probe results instead of opening the providers again. */
export function reuseProbes(probes: readonly ProviderProbe[]): ProbeDeps {
  return {
    tryProvider: async (p) => {
      const known = probes.find((x) => x.provider === p && x.probeMs !== null);
      if (known) return { usable: known.usable, error: known.error, ms: known.probeMs ?? 0 };
      const { tryProvider } = await import('./ort-checks.js');
      return tryProvider(p);
    },
  };
}
