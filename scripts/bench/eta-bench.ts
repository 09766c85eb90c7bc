// `npm run bench -- eta`: how good the job ETA is (issue 16 item 2). One in-process generation
// with the bundle (partial videos on, as `generate` does by default); at every sampling step it
// records the ETA the pipeline now reports (shared/domain/eta.ts: measured whole sections, all
// stages, plus the final encode) and the sampling-only figure the step rate gives (what was
// reported before: mean s/step × steps left), and after the job compares both with the time that
// was really left. Side by side in one run, from the second section on (in the first, both come
// from the step rate).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadBundle } from '../../daemon/models/bundle/load-bundle.js';
import { generateVideo } from '../../daemon/engine/pipeline/pipeline.js';
import { resolveJobSpec } from '../../daemon/engine/pipeline/job-spec.js';
import { openSessions } from '../../daemon/engine/pipeline/sessions.js';

/** One step's two estimates, seconds since the job started. */
export interface EtaSample { section: number; atSeconds: number; etaSeconds: number; samplingOnlySeconds: number }

export interface EtaError {
  /** Mean |estimate − actual time left|, seconds. */
  meanAbsErrorSeconds: number;
  /** Mean estimate / actual time left (1 = right; < 1 = too optimistic). */
  meanRatio: number;
}

export interface EtaBenchOutput {
  bundle: string;
  seconds: number;
  sections: number;
  steps: number;
  wallSeconds: number;
  /** Step samples compared (sections 2…N). */
  samples: number;
  measured: EtaError;
  samplingOnly: EtaError;
  /** samplingOnly.meanAbsErrorSeconds / measured.meanAbsErrorSeconds. */
  errorRatio: number;
}

/** Both estimates against the time really left, over samples from `fromSection` on (1-based). */
export function compareEtas(samples: readonly EtaSample[], totalSeconds: number, fromSection = 2): { samples: number; measured: EtaError; samplingOnly: EtaError } {
  const used = samples.filter((s) => s.section >= fromSection && totalSeconds - s.atSeconds > 0);
  const error = (pick: (s: EtaSample) => number): EtaError => {
    if (used.length === 0) return { meanAbsErrorSeconds: NaN, meanRatio: NaN };
    const left = (s: EtaSample) => totalSeconds - s.atSeconds;
    return {
      meanAbsErrorSeconds: used.reduce((a, s) => a + Math.abs(pick(s) - left(s)), 0) / used.length,
      meanRatio: used.reduce((a, s) => a + pick(s) / left(s), 0) / used.length,
    };
  };
  return { samples: used.length, measured: error((s) => s.etaSeconds), samplingOnly: error((s) => s.samplingOnlySeconds) };
}

export async function benchEta(opts: { bundleDir: string; imagePath: string; seconds: number; steps?: number }): Promise<EtaBenchOutput> {
  const bundle = await loadBundle(opts.bundleDir, { verify: 'cached' });
  const manifest = bundle.manifest;
  const sessions = await openSessions(bundle);
  const work = await mkdtemp(path.join(os.tmpdir(), 'fp-eta-'));
  try {
    const spec = resolveJobSpec({ imagePath: opts.imagePath, prompt: 'a red circle moves to the right on a yellow background', seconds: opts.seconds, seed: 1, ...(opts.steps !== undefined ? { steps: opts.steps } : {}) }, manifest, manifest.name);
    const samples: EtaSample[] = [];
    let sections = 0;
    let stepsDone = 0;
    const t0 = performance.now();
    await generateVideo(spec, {
      bundle, sessions, out: path.join(work, 'eta.mp4'),
      onEvent: (e) => {
        if (e.type === 'job.planned') sections = e.sections;
        if (e.type !== 'step') return;
        stepsDone++;
        samples.push({ section: e.section, atSeconds: (performance.now() - t0) / 1000, etaSeconds: e.etaSeconds, samplingOnlySeconds: e.secondsPerStep * (sections * e.steps - stepsDone) });
      },
    });
    const wallSeconds = (performance.now() - t0) / 1000;
    const c = compareEtas(samples, wallSeconds);
    return {
      bundle: manifest.name, seconds: opts.seconds, sections, steps: spec.steps, wallSeconds, ...c,
      errorRatio: c.samplingOnly.meanAbsErrorSeconds / c.measured.meanAbsErrorSeconds,
    };
  } finally {
    await sessions.release();
    await rm(work, { recursive: true, force: true });
  }
}
