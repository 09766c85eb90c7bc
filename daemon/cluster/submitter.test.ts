import { describe, expect, it } from 'vitest';
import { JobSpec } from '../../shared/domain/job.js';
import { filesLeftBehind } from './submitter.js';

const spec = (extra: Record<string, unknown>) => JobSpec.parse({ image: '/in/start.png', prompt: 'p', ...extra });

describe('shared-queue submit: files that do not travel', () => {
  it('names the first field whose file would stay on the submitting machine', () => {
    expect(filesLeftBehind(spec({}))).toBeNull();
    expect(filesLeftBehind(spec({ endImage: '/in/end.png' }))).toBe('endImage');
    expect(filesLeftBehind(spec({ keyframes: [{ seconds: 1, image: '/in/k.png' }] }))).toBe('keyframes');
    expect(filesLeftBehind(spec({ loras: [{ path: '/in/blue.safetensors', strength: 1 }] }))).toBe('loras');
    expect(filesLeftBehind(JobSpec.parse({ prompt: 'p', extend: '/in/clip.mp4' }))).toBe('extend');
    expect(filesLeftBehind(JobSpec.parse({ prompt: 'p', extendJob: 'abc' }))).toBe('extendJob');
  });
});
