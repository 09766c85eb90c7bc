// Which execution provider the daemon's engine runs on: CUDA when the probe session ran on it,
// else the CPU — unless FRAMEPACK_EP names one, which wins (and is reported as such, with the
// probe's verdict beside it). One line says which and why, for the log, daemon.status and doctor.
import type { ExecutionProviderInfo } from '../../shared/protocol/index.js';
import { pickExecutionProvider, probeProviders, type ProbeDeps, type ProviderProbe } from './ort-checks.js';

export interface ProviderSelection {
  info: ExecutionProviderInfo;
  probes: ProviderProbe[];
}

/** Pure: the choice and its reason from the probes, the FRAMEPACK_EP override and the engine kind. */
export function selectProvider(probes: readonly ProviderProbe[], opts: { override?: string | undefined; engine: string }): ExecutionProviderInfo {
  const summary = probes.filter((p) => p.provider === 'cpu' || p.provider === 'cuda').map((p) => ({ provider: p.provider, usable: p.usable, error: p.error?.slice(0, 2000) ?? null }));
  const cuda = probes.find((p) => p.provider === 'cuda');
  const picked = pickExecutionProvider(probes);
  const probeSays = picked === 'cuda'
    ? `the CUDA provider ran the probe session${cuda?.probeMs != null ? ` in ${cuda.probeMs} ms` : ''}`
    : `the CUDA provider is not usable (${cuda?.error ?? 'not probed'})`;
  let name = picked;
  let reason = picked === 'cuda' ? probeSays : `${probeSays}; running on the CPU`;
  if (opts.override === 'cuda' || opts.override === 'cpu') {
    name = opts.override;
    reason = `FRAMEPACK_EP=${opts.override} (probe: ${probeSays})`;
  }
  if (opts.engine === 'fake') reason = `fake engine (runs no model); ${reason}`;
  return { name, reason: reason.slice(0, 2000), probes: summary };
}

/** Probes every provider once (the CPU probe takes ~100 ms; CUDA's first session longer) and selects. */
export async function probeAndSelect(opts: { override?: string | undefined; engine: string; probe?: () => Promise<ProviderProbe[]> }): Promise<ProviderSelection> {
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
