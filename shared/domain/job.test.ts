import { describe, expect, it } from 'vitest';
import { Job, JobSpec, isTerminalJobState } from './job.js';

const minimal = { image: '/in/cat.png', prompt: 'a cat dances' };

describe('JobSpec', () => {
  it('fills the official defaults', () => {
    expect(JobSpec.parse(minimal)).toEqual({
      ...minimal,
      negativePrompt: '',
      seconds: 5,
      seed: 31337,
      steps: 25,
      gs: 10,
      cfg: 1,
      rs: 0,
      window: 9,
      sampler: 'unipc',
      mode: 'inverted',
      teacache: true,
      partials: true,
      crf: 16,
      front: false,
    });
  });

  it.each([
    ['seconds', 0],
    ['seconds', 120.5],
    ['steps', 0],
    ['steps', 2.5],
    ['window', 0],
    ['crf', 52],
    ['crf', -1],
    ['sampler', 'dpm'],
    ['mode', 'backwards'],
    ['seed', -1],
    ['seed', 2 ** 60],
    ['keepAlive', 'forever'],
    ['image', ''],
  ])('rejects %s = %s, naming the field', (field, value) => {
    const r = JobSpec.safeParse({ ...minimal, [field]: value });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual([field]);
  });

  it('accepts the edges and rejects misspelt fields', () => {
    expect(JobSpec.safeParse({ ...minimal, seconds: 120, crf: 0, steps: 1, window: 1, keepAlive: '1h', shift: 3 }).success).toBe(true);
    const typo = JobSpec.safeParse({ ...minimal, second: 10 });
    expect(typo.success).toBe(false);
    expect(typo.error!.issues[0]!.code).toBe('unrecognized_keys');
  });

  it('a Job re-validates unchanged, and its spec tolerates fields from a newer daemon', () => {
    const job = {
      id: 'job-1', spec: { ...JobSpec.parse(minimal), futureField: 1 }, state: 'running', position: null,
      createdAt: '2026-11-28T03:00:00.000Z', startedAt: '2026-11-28T03:00:01.000Z', finishedAt: null,
      progress: { stage: 'sample', section: { index: 0, displayIndex: 1, total: 2 }, step: null, frames: 0, seconds: 0 },
      cancelRequested: null, outputPath: null, partialPath: null, error: null, timing: null,
    };
    const parsed = Job.parse(job);
    expect(Job.parse(parsed)).toEqual(parsed);
    expect(parsed.spec).not.toHaveProperty('futureField');
  });

  it('knows the terminal states', () => {
    expect(['queued', 'running', 'succeeded', 'failed', 'cancelled'].map((s) => isTerminalJobState(s as never))).toEqual([false, false, true, true, true]);
  });
});
