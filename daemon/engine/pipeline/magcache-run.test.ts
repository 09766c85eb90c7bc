// MagCache through the real pipeline on the default model (its committed calibration): blocks are
// skipped as the rule says, the job still succeeds, and the sidecar records the cache and calibration.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBundle } from '../../models/bundle/load-bundle.js';
import type { PipelineEvent } from './events.js';
import { resolveJobSpec } from './job-spec.js';
import { REPO_MODELS_DIR } from './model-location.js';
import { generateVideo } from './pipeline.js';
import { openSessions } from './sessions.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fp-magrun-'));
const bundle = await loadBundle(path.join(REPO_MODELS_DIR, 'framepack-tiny'), { verify: 'none' });
const sessions = await openSessions(bundle);
afterAll(async () => { await sessions.release(); rmSync(dir, { recursive: true, force: true }); });
const imagePath = path.join(dir, 'start.png');
await sharp(Buffer.from(Uint8Array.from({ length: 150 * 100 * 3 }, (_, i) => (i * 7) % 256)), { raw: { width: 150, height: 100, channels: 3 } }).png().toFile(imagePath);

async function run(cache: 'mag' | 'off') {
  const events: PipelineEvent[] = [];
  const spec = resolveJobSpec({ imagePath, prompt: 'a red ball bounces', seconds: 1, steps: 8, cache }, bundle.manifest, 'framepack-tiny');
  const out = await generateVideo(spec, { bundle, sessions, out: path.join(dir, `${cache}.mp4`), partials: false, onEvent: (e) => events.push(e) });
  const done = events.filter((e) => e.type === 'section.done');
  return { out, stats: done.map((e) => (e.type === 'section.done' ? e.teacache : null)) };
}

describe('MagCache in the pipeline', () => {
  it('skips blocks by the calibrated ratios (8 steps: 2 kept, then skip, skip, compute …) and records it', async () => {
    const off = await run('off');
    expect(off.stats).toEqual([{ computed: 8, skipped: 0 }]);
    const mag = await run('mag');
    // ⌊0.25·8⌋ = 2 kept; the tiny model's ratios are within 0.06 of 1, so: skip, skip, compute, skip, skip, compute.
    expect(mag.stats).toEqual([{ computed: 4, skipped: 4 }]);
    const sidecar = JSON.parse(readFileSync(mag.out.replace(/\.mp4$/, '.json'), 'utf8'));
    expect(sidecar.parameters).toMatchObject({ cache: 'mag', magcacheThreshold: 0.1, magcacheMaxSkips: 2, magcacheRetention: 0.25, magcacheCalibration: { steps: 25, sampler: 'unipc' } });
  });
});
