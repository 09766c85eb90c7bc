import { describe, expect, it } from 'vitest';
import { initialJobs } from '../daemon/jobs-store.js';
import { valuesFromSpec } from './form-state.js';
import { planLines } from './new-job-form.js';

describe('the lines under the form before anything is planned', () => {
  const none = { state: 'none' } as const;
  it('without an image, one line says what is missing (not a plan line and a fix line saying the same)', () => {
    expect(planLines(valuesFromSpec({}), initialJobs, none)).toEqual(['fix: image choose a start image (or a video or job to extend)']);
  });

  it('an extension (no image) says when it is planned, not "choose a start image"', () => {
    const lines = planLines({ ...valuesFromSpec({}), extend: '/v/clip.mp4' }, initialJobs, none);
    expect(lines[0]).toBe('plan: an extension is planned when it starts (`framepack plan --extend VIDEO` shows it now)');
    expect(lines.join('\n')).not.toContain('choose a start image');
  });

  it('with an image, a plan being asked for shows as such', () => {
    expect(planLines({ ...valuesFromSpec({}), image: '/a.png', prompt: 'x' }, initialJobs, { state: 'loading', key: 'k' })).toEqual(['plan: asking the daemon…']);
  });
});
