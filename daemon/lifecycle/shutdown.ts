// The one shutdown path (nx's performShutdown, STYLE.md §3.3 conv. 6) for signals, the idle timer
// and daemon.shutdown: log the reason, stop taking jobs and let the running section finish (it is
// checkpointed and journaled, so the job resumes on the next start), release every model, stop
// listening, remove the registration, exit 0. Idempotent: a second signal while shutting down is
// only logged.
import type { Logger } from '../log.js';

export interface ShutdownSteps {
  /** Stop starting jobs; finish or checkpoint the running section; close the journal. */
  stopJobs(): Promise<void>;
  /** Unload every component (reason 'shutdown'). */
  releaseModels(): Promise<void>;
  /** Stop listening and close every connection. */
  closeServer(): Promise<void>;
  /** Remove daemon.json, timers and the like. Synchronous on purpose. */
  cleanup(): void;
  exit(code: number): void;
}

export function createShutdown(steps: ShutdownSteps, log: Logger): (reason: string) => Promise<void> {
  let running: Promise<void> | null = null;
  return (reason: string) => {
    if (running) {
      log.info('already shutting down', { reason });
      return running;
    }
    running = (async () => {
      log.info('shutting down', { reason });
      let code = 0;
      for (const [name, step] of [['jobs', steps.stopJobs], ['models', steps.releaseModels], ['server', steps.closeServer]] as const) {
        try {
          await step();
        } catch (err: unknown) {
          code = 1;
          log.error(`shutdown step '${name}' failed`, { error: err instanceof Error ? err.stack : String(err) });
        }
      }
      steps.cleanup();
      log.info('stopped', { reason, exitCode: code });
      steps.exit(code);
    })();
    return running;
  };
}
