// Cross-checks daemon/engine/seeded-noise.ts against torch.randn with a seeded CPU generator
// (scripts/reference/randn_ref.py). Run: npx vitest run test/crosscheck/seeded-noise.crosscheck.test.ts
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SeededNoise } from '../../daemon/engine/seeded-noise.js';
import { REFERENCE_PYTHON } from './harness.js';

const SCRIPT = path.resolve(import.meta.dirname, '../../scripts/reference/randn_ref.py');

function reference(request: unknown): Promise<{ cases: number[][][] }> {
  return new Promise((resolve, reject) => {
    const child = execFile(REFERENCE_PYTHON, [SCRIPT], { maxBuffer: 256 << 20, timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout));
    });
    child.stdin!.end(JSON.stringify(request));
  });
}

describe('seeded noise vs torch.randn', () => {
  it('draws the same per-section noise stream (to the last bits of torch\'s log/sin/cos)', async () => {
    // Sections of a small bucket (16·9·10·8), a remainder size, and more sections than one mt19937 block.
    const cases = [
      { seed: 31337, sizes: [16 * 9 * 10 * 8, 16 * 9 * 10 * 8, 16 * 9 * 10 * 8] },
      { seed: 0, sizes: [20, 16 * 9 * 2 * 2, 37] },
      { seed: 123456789012, sizes: [16 * 9 * 20 * 19] },
    ];
    const ref = await reference({ cases });
    let worst = 0;
    let exact = 0;
    let total = 0;
    cases.forEach((c, k) => {
      const g = SeededNoise.fromSeed(c.seed);
      c.sizes.forEach((n, j) => {
        const ours = g.randn(n);
        const theirs = ref.cases[k]![j]!;
        expect(theirs.length).toBe(n);
        for (let i = 0; i < n; i++) {
          const d = Math.abs(ours[i]! - theirs[i]!);
          worst = Math.max(worst, d);
          if (d === 0) exact++;
          total++;
        }
      });
    });
    console.log(`randn: max abs err ${worst}, ${exact}/${total} values bit-exact`);
    expect(worst).toBeLessThan(2e-5);
  });
});
