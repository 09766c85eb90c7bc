// The doctor inside the daemon: the quick checks (everything but the reference generation) run once
// in the background after start — readiness never waits for them — and the report is cached and
// served by daemon.doctor; a request with refresh runs them again. Concurrent requests share one run.
// At start every warn/fail is logged as one line so `framepack daemon logs` shows problems.
import type { DoctorResult, ExecutionProviderInfo } from '../../shared/protocol/index.js';
import type { Logger } from '../log.js';
import type { DoctorReport } from './doctor.js';

export interface DoctorServiceOptions {
  /** Runs the doctor; quick = without the reference generation. */
  run: (quick: boolean) => Promise<DoctorReport>;
  /** The provider the engine uses (null while probing). */
  provider: () => ExecutionProviderInfo | null;
  log: Logger;
  now?: () => number;
}

export class DoctorService {
  private readonly cached = new Map<boolean, DoctorResult>();
  private readonly running = new Map<boolean, Promise<DoctorResult>>();
  private readonly now: () => number;

  constructor(private readonly o: DoctorServiceOptions) {
    this.now = o.now ?? Date.now;
  }

  /** The start-up run: quick, in the background, one log line per warn/fail. */
  startQuick(): Promise<void> {
    return this.run(true).then(
      (r) => {
        const bad = r.checks.filter((c) => c.status !== 'ok');
        for (const c of bad) this.o.log[c.status === 'fail' ? 'error' : 'warn'](`doctor ${c.id}: ${c.finding}`, { check: c.id, status: c.status, fix: c.fix });
        this.o.log.info(`doctor: ${r.status} (${r.checks.length} checks, ${bad.length} warn/fail) in ${Math.round(r.durationMs)} ms`, { status: r.status });
      },
      (err: unknown) => this.o.log.error('doctor failed to run', { error: err instanceof Error ? err.stack : String(err) }),
    );
  }

  /** The cached report (waiting for a run in flight), or a fresh run when refresh or none is cached. */
  async get(quick: boolean, refresh: boolean): Promise<DoctorResult> {
    const cached = this.cached.get(quick);
    const inFlight = this.running.get(quick);
    if (!refresh && cached) return { ...cached, provider: this.o.provider() };
    if (inFlight) return inFlight;
    return this.run(quick);
  }

  private run(quick: boolean): Promise<DoctorResult> {
    const existing = this.running.get(quick);
    if (existing) return existing;
    const started = this.now();
    const p = this.o.run(quick).then((report): DoctorResult => {
      const result: DoctorResult = {
        status: report.status,
        // Within the wire schema's limits (a pasted ORT error can be long).
        checks: report.checks.map((c) => ({ id: c.id.slice(0, 200), status: c.status, finding: c.finding.slice(0, 2000), fix: c.fix.slice(0, 2000) })),
        provider: this.o.provider(),
        quick,
        ranAt: new Date(started).toISOString(),
        durationMs: Math.max(0, this.now() - started),
      };
      this.cached.set(quick, result);
      return result;
    }).finally(() => this.running.delete(quick));
    this.running.set(quick, p);
    return p;
  }
}
