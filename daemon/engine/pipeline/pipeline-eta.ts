// The pipeline's events with the job's ETA from measured sections (shared/domain/eta.ts): step
// events get the estimator's figure instead of the sampling-only one, stage and section.done
// events carry it too. Local `generate` shows these; the daemon recomputes them in its job runner
// with the same estimator (so fake and real engines behave alike).
import { JobEta } from '../../../shared/domain/eta.js';
import { PIPELINE_STAGE, type PipelineEvent } from './events.js';

export function withEta(onEvent: (e: PipelineEvent) => void, sectionsDoneBefore = 0, now: () => number = () => performance.now()): (e: PipelineEvent) => void {
  const eta = new JobEta(sectionsDoneBefore);
  return (e) => {
    const t = now();
    switch (e.type) {
      case 'section.started': eta.sectionStarted(e.sections, t); break;
      case 'stage': eta.stageEntered(PIPELINE_STAGE[e.stage], t); break;
      case 'step': eta.stepDone(e.step, e.steps, t); break;
      case 'section.done': eta.sectionDone(t); break;
      default: break;
    }
    const jobMs = eta.estimate(t).jobMs;
    if (jobMs === null || (e.type !== 'stage' && e.type !== 'step' && e.type !== 'section.done')) return onEvent(e);
    onEvent({ ...e, etaSeconds: jobMs / 1000 });
  };
}
