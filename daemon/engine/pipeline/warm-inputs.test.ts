// The warm start (issue 19): a second job with the same start image and prompt decodes, resizes
// and encodes nothing — counted, not timed — and gets exactly the first one's conditioning.
import { mkdtempSync, rmSync } from 'node:fs';
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
import { WarmInputs } from './warm-inputs.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fp-warm-'));
const bundle = await loadBundle(path.join(REPO_MODELS_DIR, 'framepack-tiny'), { verify: 'none' });
const sessions = await openSessions(bundle);
afterAll(async () => { await sessions.release(); rmSync(dir, { recursive: true, force: true }); });
const imagePath = path.join(dir, 'start.png');
await sharp(Buffer.from(Uint8Array.from({ length: 150 * 100 * 3 }, (_, i) => (i * 13) % 256)), { raw: { width: 150, height: 100, channels: 3 } }).png().toFile(imagePath);
const spec = (extra: Record<string, unknown> = {}) => resolveJobSpec({ imagePath, prompt: 'a red ball bounces', seconds: 1, steps: 2, ...extra }, bundle.manifest, 'framepack-tiny');

async function run(name: string, warm: WarmInputs | undefined, extra: Record<string, unknown> = {}) {
  const events: PipelineEvent[] = [];
  await generateVideo(spec(extra), { bundle, sessions, out: path.join(dir, `${name}.mp4`), partials: false, onEvent: (e) => events.push(e), ...(warm ? { warm } : {}) });
  return {
    previews: events.flatMap((e) => (e.type === 'preview' ? [Buffer.from(e.rgb).toString('base64')] : [])),
    stages: events.flatMap((e) => (e.type === 'stage' ? [e.stage] : [])),
  };
}

describe('warm inputs', () => {
  it('a warm job with a seen image and prompt decodes, resizes and encodes nothing, with identical results', async () => {
    const warm = new WarmInputs();
    const cold = await run('cold', undefined);
    const first = await run('first', warm);
    expect(warm.stats).toEqual({ imageDecodes: 1, imageHits: 0, bucketResizes: 1, bucketHits: 0, conditioningRuns: 1, conditioningHits: 0 });
    const second = await run('second', warm);
    expect(warm.stats).toEqual({ imageDecodes: 1, imageHits: 1, bucketResizes: 1, bucketHits: 1, conditioningRuns: 1, conditioningHits: 1 });
    expect(second.stages).not.toContain('text-encoding');
    expect(first.previews).toEqual(cold.previews);
    expect(second.previews).toEqual(cold.previews);
    // A new prompt is new conditioning (the image is still reused).
    await run('other-prompt', warm, { prompt: 'a blue cube spins' });
    expect(warm.stats).toMatchObject({ imageDecodes: 1, imageHits: 2, conditioningRuns: 2, conditioningHits: 1 });
  });
});
