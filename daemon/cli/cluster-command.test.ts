import { describe, expect, it } from 'vitest';
import type { ClusterJob } from '../../shared/protocol/index.js';
import { formatClusterJobs, queueTarget } from './cluster-command.js';
import { UsageError } from './errors.js';

const job = (o: Partial<ClusterJob>): ClusterJob => ({
  id: 'mx1-aaaaaa', state: 'waiting', prompt: 'a cat\nturns', worker: null, attempts: 0, progress: null,
  createdAt: '2026-12-04T23:00:00.000Z', finishedAt: null, error: null, output: null, timing: null, ...o,
});

describe('jobs --queue', () => {
  it('lists each job with its worker, runs and progress', () => {
    const text = formatClusterJobs('redis://:***@h:6379/0', [
      job({ id: 'a', state: 'active', worker: 'gpu1:7', attempts: 2, progress: { stage: 'sample', section: { index: 1, displayIndex: 0, total: 3 }, step: { section: 1, step: 4, steps: 25, secPerStep: 1, etaSectionMs: 1, etaJobMs: 1 }, frames: 33, seconds: 1.1 } }),
      job({ id: 'b', state: 'completed', worker: 'gpu2:9', attempts: 1, output: { bytes: 3 * 1024 * 1024, sha256: 'x' } }),
      job({ id: 'c', state: 'failed', worker: 'gpu2:9', attempts: 3, error: 'INTERNAL: boom\nstack' }),
      job({ id: 'd' }),
    ]);
    const lines = text.split('\n');
    expect(lines[0]).toBe('shared queue redis://:***@h:6379/0');
    expect(lines[1]).toMatch(/^ID\s+STATE\s+WORKER\s+RUNS\s+PROGRESS\s+PROMPT$/);
    expect(lines[2]).toMatch(/^a\s+active\s+gpu1:7\s+2\s+section 2\/3 step 4\/25\s+a cat turns$/);
    expect(lines[3]).toMatch(/^b\s+completed\s+gpu2:9\s+1\s+3\.0 MiB video/);
    expect(lines[4]).toMatch(/^c\s+failed\s+gpu2:9\s+3\s+INTERNAL: boom\s+a cat turns$/);
    expect(lines[5]).toMatch(/^d\s+waiting\s+-\s+0\s+a cat turns$/);
    expect(formatClusterJobs('redis://h:1', [])).toBe('no jobs in the shared queue redis://h:1');
  });

  it('refuses a queue that is not a Redis URL as a usage error', () => {
    expect(() => queueTarget('localhost:6379')).toThrow(UsageError);
  });
});
