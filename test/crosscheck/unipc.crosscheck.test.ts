// Cross-checks the engine's sigma schedule, UniPC (bh1, bh2) and fm_wrapper guidance against the
// independent PyTorch reference scripts/reference/unipc_ref.py (float32 torch, as the official
// sampler). Run: npx vitest run test/crosscheck/unipc.crosscheck.test.ts
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../daemon/weights/seeded.js';
import { fluxMu, fluxTimeShiftF32, linspaceF32, sigmaSchedule } from '../../daemon/engine/sigmas.js';
import { gaussianDenoiser } from '../../daemon/engine/samplers/analytic-model.js';
import { makeDenoiser } from '../../daemon/engine/samplers/guidance.js';
import { UniPCSampler } from '../../daemon/engine/samplers/unipc.js';
import { REFERENCE_PYTHON } from './harness.js';

const SCRIPT = path.resolve(import.meta.dirname, '../../scripts/reference/unipc_ref.py');

function reference(request: unknown): Promise<any> {
  return new Promise((resolve, reject) => {
    const child = execFile(REFERENCE_PYTHON, [SCRIPT], { maxBuffer: 64 << 20, timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout));
    });
    child.stdin!.end(JSON.stringify(request));
  });
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

describe('engine sampling vs PyTorch reference', () => {
  it('sigmas, UniPC bh1/bh2 per step, and guided x0 agree', async () => {
    const mus = [Math.log(7), fluxMu(1520), fluxMu(3040), Math.log(3)];
    const sigmaCases: Array<[number, number]> = [];
    for (let n = 1; n <= 120; n++) for (const mu of mus) sigmaCases.push([n, mu]);

    const rng = new SeededRandom(11);
    const N = 2048;
    const mean = rng.normalArray(N, 0.5);
    const std = Float32Array.from({ length: N }, () => 0.2 + 0.8 * rng.uniform());
    const z = rng.normalArray(N);
    const { sigmas } = sigmaSchedule({ steps: 25, latentFrames: 9, latentHeight: 80, latentWidth: 76 });
    const gx = rng.normalArray(1024, 1.5);
    const guidanceReq = { x: Array.from(gx), sigma: sigmas[3]!, gs: 10, cfg: 3, rs: 0.7 };

    const ref = await reference({
      sigma_cases: sigmaCases,
      unipc: { z: Array.from(z), mean: Array.from(mean), std: Array.from(std), sigmas: Array.from(sigmas), variants: ['bh1', 'bh2'] },
      guidance: guidanceReq,
    });

    // Sigma schedules: float32 emulation of torch's linspace and shift.
    let worstSigma = 0;
    let exact = 0;
    sigmaCases.forEach(([n, mu], k) => {
      const ours = fluxTimeShiftF32(linspaceF32(1, 0, n + 1), mu);
      const d = maxAbsDiff(ours, ref.sigmas[k]);
      worstSigma = Math.max(worstSigma, d);
      if (d === 0) exact++;
    });
    console.log(`sigmas: ${exact}/${sigmaCases.length} schedules bit-exact, max abs err ${worstSigma}`);
    expect(worstSigma).toBeLessThan(2.5e-7);

    // UniPC: every step's x and the returned x0.
    for (const variant of ['bh1', 'bh2'] as const) {
      const xs: Float32Array[] = [];
      const out = await new UniPCSampler(variant).sample({ x: z, sigmas, model: gaussianDenoiser({ mean, std }), onStep: (s) => { xs.push(Float32Array.from(s.x)); } });
      const r = ref.unipc[variant];
      let worst = 0;
      xs.forEach((x, i) => { worst = Math.max(worst, maxAbsDiff(x, r.xs[i])); });
      const outErr = maxAbsDiff(out, r.out);
      const refMax = Math.max(...r.out.map(Math.abs));
      console.log(`unipc ${variant}: per-step x max abs err ${worst}, output max abs err ${outErr} (ref max ${refMax})`);
      expect(xs.length).toBe(25);
      expect(worst).toBeLessThan(2e-5);
      expect(outErr).toBeLessThan(2e-5);
    }

    // Guidance wrapper with real CFG and rescale, same synthetic branches as the reference.
    const den = makeDenoiser(async (x, sigma, call) => {
      const v = new Float32Array(x.length);
      for (let i = 0; i < x.length; i++) {
        const xi = x[i]!;
        v[i] = call.branch === 'positive' ? 0.5 * xi - 0.125 * xi * xi + 0.25 * sigma : 0.75 * xi + 0.0625;
      }
      expect([call.timestep, call.guidance]).toEqual([ref.guidance.timestep, ref.guidance.guidance]);
      return v;
    }, { distilledGuidance: 10, cfg: 3, rescale: 0.7 });
    const x0 = await den(gx, guidanceReq.sigma, 3);
    const gErr = maxAbsDiff(x0, ref.guidance.x0);
    console.log(`guidance: x0 max abs err ${gErr}`);
    expect(gErr).toBeLessThan(5e-6);
  });
});
