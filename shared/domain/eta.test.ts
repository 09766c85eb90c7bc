// The job ETA from measured sections (issue 16 item 2): a job whose sections take 3 s each, of
// which sampling is only 1 s, must not be estimated from the sampling rate once a section is measured.
import { describe, expect, it } from 'vitest';
import { JobEta } from './eta.js';

/** One section as the engine reports it: 1 s sampling (2 steps), 1.5 s decode, 0.2 s append, 0.3 s encode. */
function runSection(eta: JobEta, total: number, t0: number): number {
  eta.sectionStarted(total, t0);
  eta.stageEntered('sample', t0);
  eta.stepDone(1, 2, t0 + 500);
  eta.stepDone(2, 2, t0 + 1000);
  eta.stageEntered('vae-decode', t0 + 1000);
  eta.stageEntered('append', t0 + 2500);
  eta.stageEntered('mux', t0 + 2700);
  eta.sectionDone(t0 + 3000);
  return t0 + 3000;
}

describe('JobEta', () => {
  it('knows nothing before the first step', () => {
    const eta = new JobEta();
    eta.sectionStarted(5, 0);
    expect(eta.estimate(100)).toEqual({ jobMs: null, sectionMs: null, basis: 'none' });
  });

  it('uses the step rate during the first section (a lower bound), then whole measured sections', () => {
    const eta = new JobEta();
    eta.sectionStarted(5, 0);
    eta.stageEntered('sample', 0);
    eta.stepDone(1, 2, 500);
    // 1 step left at 0.5 s, 4 sections × 2 steps later: 4.5 s, sampling only.
    expect(eta.estimate(500)).toEqual({ jobMs: 4500, sectionMs: 500, basis: 'steps' });
    eta.stepDone(2, 2, 1000);
    eta.stageEntered('vae-decode', 1000);
    // Decoding the first section: still the step-based figure (sampling left 0).
    expect(eta.estimate(1200)).toMatchObject({ jobMs: 4000, basis: 'steps' });
    eta.stageEntered('append', 2500);
    eta.stageEntered('mux', 2700);
    eta.sectionDone(3000);
    // 4 sections of 3 s left + the final encode (0.3 s for 1 section's partial → 1.5 s for 5).
    expect(eta.estimate(3000)).toEqual({ jobMs: 4 * 3000 + 1500, sectionMs: null, basis: 'sections' });
  });

  it('counts down through decode and encode within a section, and the final encode at the end', () => {
    const eta = new JobEta();
    let t = runSection(eta, 3, 0);
    eta.sectionStarted(3, t);
    eta.stageEntered('sample', t);
    eta.stepDone(2, 2, t + 1000);
    eta.stageEntered('vae-decode', t + 1000);
    // 2 s into section 2 of 3: 1 s of it left, 1 section, then the final encode (0.3 × 3 = 0.9 s).
    expect(eta.estimate(t + 2000)).toEqual({ jobMs: 1000 + 3000 + 900, sectionMs: 1000, basis: 'sections' });
    // Sections 2 and 3 run to the end (section 2 restarted on the same clock for simplicity).
    t = runSection(eta, 3, t);
    t = runSection(eta, 3, t);
    // The newest partial (all 3 sections) took 0.3 s to encode: so will the final video.
    eta.stageEntered('mux', t);
    expect(eta.estimate(t + 200)).toEqual({ jobMs: 100, sectionMs: null, basis: 'sections' });
    expect(eta.estimate(t + 5000).jobMs).toBe(0);
  });

  it('a resumed job counts the sections finished before', () => {
    const eta = new JobEta(3);
    const t = runSection(eta, 5, 0);
    // Sections 1–3 done before the restart, 4 just now: 1 section of 3 s left + the final encode (0.3 / 4 × 5).
    expect(eta.estimate(t)).toEqual({ jobMs: 3000 + 375, sectionMs: null, basis: 'sections' });
  });
});
