import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFlags } from './args.js';
import { ALL_JOB_OPTIONS, jobInputFromFlags, resolveJob } from './job-args.js';
import { presetValuesFromFlags } from './presets-command.js';
import { UsageError } from './errors.js';
import { formatJob } from './jobs-command.js';
import { Job } from '../../shared/protocol/index.js';

describe('--lora FILE[:STRENGTH]', () => {
  it('is repeatable; paths become absolute, strengths default to 1', () => {
    const { values } = parseFlags('generate', ['--lora', 'a.safetensors:0.5', '--lora', '/x/b.safetensors'], ALL_JOB_OPTIONS);
    expect(jobInputFromFlags(values).loras).toEqual([
      { path: path.resolve('a.safetensors'), strength: 0.5 },
      { path: '/x/b.safetensors', strength: 1 },
    ]);
    expect(jobInputFromFlags({}).loras).toBeUndefined();
  });

  it('reaches the resolved spec', async () => {
    const job = await resolveJob({ image: 'a.png', prompt: 'p', lora: ['/l/a.safetensors:-1'] });
    expect(job.spec.loras).toEqual([{ path: '/l/a.safetensors', strength: -1 }]);
  });

  it('refuses a strength out of range, more than 8, and a preset holding LoRAs, as usage errors', () => {
    expect(() => jobInputFromFlags({ lora: ['a.safetensors:12'] })).toThrow(UsageError);
    expect(() => jobInputFromFlags({ lora: Array.from({ length: 9 }, (_, i) => `l${i}.safetensors`) })).toThrow(/at most 8 LoRAs/);
    expect(() => presetValuesFromFlags({ lora: ['a.safetensors'] })).toThrow(/a preset holds no LoRAs/);
  });

  it('jobs show lists a job\'s LoRAs with their strengths', () => {
    const job = Job.parse({
      id: 'j1', spec: { image: '/in.png', prompt: 'p', loras: [{ path: '/l/blue.safetensors', strength: 0.8 }] }, state: 'queued', position: 0,
      createdAt: '2026-12-01T10:00:00.000Z', startedAt: null, finishedAt: null, progress: null, cancelRequested: null, outputPath: null, partialPath: null, error: null, timing: null,
    });
    expect(formatJob(job)).toContain('loras:   /l/blue.safetensors ×0.8');
  });
});
