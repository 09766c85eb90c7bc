import { describe, expect, it } from 'vitest';
import { JobSpec } from '../../shared/domain/job.js';
import { filesLeftBehind } from './submitter.js';
import { MAX_EXTEND_BYTES, MAX_IMAGE_BYTES, MAX_LORA_TOTAL_BYTES, overLimit, travelBlob, travellingFiles, withTravelPaths } from './travel-files.js';

const spec = (extra: Record<string, unknown>) => JobSpec.parse({ image: '/in/start.png', prompt: 'p', ...extra });

describe('shared-queue submit: what travels with a job', () => {
  it('only extendJob stays behind (its latents live on the daemon that ran it)', () => {
    expect(filesLeftBehind(spec({ endImage: '/in/end.png', keyframes: [{ seconds: 1, image: '/in/k.png' }], loras: [{ path: '/in/blue.safetensors', strength: 1 }] }))).toBeNull();
    expect(filesLeftBehind(JobSpec.parse({ prompt: 'p', extend: '/in/clip.mp4' }))).toBeNull();
    expect(filesLeftBehind(JobSpec.parse({ prompt: 'p', extendJob: 'abc' }))).toBe('extendJob');
  });

  it('lists every file of the job, each with its own blob, and rewrites the spec to other paths', () => {
    const s = spec({ endImage: '/in/end.png', keyframes: [{ seconds: 1, image: '/a/k.png' }, { seconds: 2, image: '/b/k.png' }], loras: [{ path: '/l/blue.safetensors', strength: 0.5 }] });
    const files = travellingFiles(s);
    expect(files.map((f) => `${f.field}[${f.index}]=${f.path}`)).toEqual(['image[0]=/in/start.png', 'endImage[0]=/in/end.png', 'keyframes[0]=/a/k.png', 'keyframes[1]=/b/k.png', 'loras[0]=/l/blue.safetensors']);
    expect(new Set(files.map((f) => travelBlob('j1', f))).size).toBe(files.length);
    expect(travelBlob('j1', files[0]!)).toBe('input:j1');
    const moved = withTravelPaths(s, (f) => `/inbox/${f.field}-${f.index}`);
    expect(moved).toMatchObject({ image: '/inbox/image-0', endImage: '/inbox/endImage-0', keyframes: [{ seconds: 1, image: '/inbox/keyframes-0' }, { seconds: 2, image: '/inbox/keyframes-1' }], loras: [{ path: '/inbox/loras-0', strength: 0.5 }] });
    expect(withTravelPaths(JobSpec.parse({ prompt: 'p', extend: '/in/clip.mp4' }), () => 'x').extend).toBe('x');
  });

  it('refuses a file over its limit, naming the field and the limit', () => {
    const s = spec({ endImage: '/in/end.png', loras: [{ path: '/l/a.safetensors', strength: 1 }, { path: '/l/b.safetensors', strength: 1 }] });
    const files = travellingFiles(s);
    expect(overLimit(files, [1, 2, 300 << 20, 200 << 20])).toBeNull();
    expect(overLimit(files, [1, MAX_IMAGE_BYTES + 1, 1, 1])).toBe(`endImage: /in/end.png is ${MAX_IMAGE_BYTES + 1} bytes; a shared-queue job carries images up to ${MAX_IMAGE_BYTES} bytes`);
    expect(overLimit(files, [1, 2, 300 << 20, 300 << 20])).toContain(`loras[1]: /l/b.safetensors brings the job's LoRA files to ${600 << 20} bytes; a shared-queue job carries LoRA files up to ${MAX_LORA_TOTAL_BYTES} bytes (512 MiB) in all`);
    expect(overLimit(files, [1000, 2, 3, 4], 999)).toContain('image: /in/start.png is 1000 bytes');
    const ext = travellingFiles(JobSpec.parse({ prompt: 'p', extend: '/in/clip.mp4' }));
    expect(overLimit(ext, [MAX_EXTEND_BYTES])).toBeNull();
    expect(overLimit(ext, [MAX_EXTEND_BYTES + 1])).toContain('extend: /in/clip.mp4');
  });
});
