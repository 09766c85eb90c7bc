import { describe, expect, it } from 'vitest';
import { benchDaemon, type DaemonBenchRow } from './daemon-bench.js';

describe('daemon bench', () => {
  it('reports a cold job, warm jobs with their median and request latency while a job runs (fake engine)', async () => {
    const rows: DaemonBenchRow[] = [];
    await benchDaemon({ engine: 'fake', seconds: 1, steps: 5, pings: 20, warmJobs: 2 }, (r) => rows.push(r));
    const jobs = rows.filter((r) => r.type === 'job');
    expect(jobs.map((j) => j.run)).toEqual(['cold', 'warm', 'warm']);
    expect(jobs[0]!.modelLoads).toBe(5);
    expect(jobs[1]!.modelLoads).toBe(0);
    expect(jobs[2]!.modelLoads).toBe(0);
    expect(rows.find((r) => r.type === 'summary')).toMatchObject({ warmJobs: 2 });
    for (const j of jobs) {
      expect(j.submitToFirstStepMs).toBeLessThanOrEqual(j.totalMs);
      expect(j.submitToSamplingMs).toBeLessThanOrEqual(j.submitToFirstStepMs);
    }
    const latency = rows.find((r) => r.type === 'latency');
    expect(latency).toMatchObject({ samples: 20 });
    expect(latency!.type === 'latency' && latency!.p50Ms <= latency!.p99Ms).toBe(true);
  });
});
