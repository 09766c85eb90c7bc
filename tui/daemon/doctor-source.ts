// Where the dashboard's doctor report comes from: the daemon's `daemon.doctor` (the quick checks it
// ran at start, cached; refresh re-runs them), or — only for a daemon too old to have that method —
// the `framepack doctor --json --quick` child process (doctor-runner.ts). Pure, so tests drive it
// without Ink.
import { RpcError, type DoctorResult, type HelloResult } from '../../shared/protocol/index.js';
import type { DoctorReport } from './doctor-runner.js';

export const DOCTOR_FEATURE = 'daemon.doctor';

export interface DoctorSourceOptions {
  hello: HelloResult | null;
  /** The daemon.doctor call. */
  call: (params: { refresh: boolean }) => Promise<DoctorResult>;
  refresh: boolean;
  /** The child-process doctor, for daemons without daemon.doctor; absent = none. */
  fallback?: (() => Promise<DoctorReport>) | undefined;
}

export function reportFromDaemon(r: DoctorResult): DoctorReport {
  return {
    status: r.status,
    ...(r.provider ? { provider: r.provider.name, providerReason: r.provider.reason } : {}),
    checks: r.checks,
    source: 'daemon',
    ranAt: r.ranAt,
  };
}

export function daemonHasDoctor(hello: HelloResult | null): boolean {
  return hello?.features.includes(DOCTOR_FEATURE) ?? false;
}

/** The report from the daemon when it serves one, else from the fallback. */
export async function fetchDoctor(o: DoctorSourceOptions): Promise<DoctorReport> {
  if (daemonHasDoctor(o.hello)) {
    try {
      return reportFromDaemon(await o.call({ refresh: o.refresh }));
    } catch (err: unknown) {
      // A daemon that announced the feature but lacks the method (should not happen) falls back too.
      if (!(err instanceof RpcError && err.code === 'NOT_FOUND' && o.fallback)) throw err;
    }
  }
  if (!o.fallback) throw new Error(o.hello ? 'this daemon has no daemon.doctor (restart it to update)' : 'not connected to the daemon');
  return { ...(await o.fallback()), source: 'process' };
}
