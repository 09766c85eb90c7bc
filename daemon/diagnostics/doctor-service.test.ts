import { describe, expect, it } from 'vitest';
import { createLogger, type LogRecord } from '../log.js';
import type { DoctorReport } from './doctor.js';
import { DoctorService } from './doctor-service.js';

function report(status: 'ok' | 'warn' | 'fail'): DoctorReport {
  return {
    status, provider: 'cpu', gpus: { available: false, reason: 'not-found', detail: '' }, providers: [], host: { platform: 'linux', arch: 'x64', cpus: 2, hostname: 'h' },
    checks: [
      { id: 'node.version', status: 'ok', finding: 'Node 22', fix: '' },
      { id: 'ffmpeg', status, finding: 'ffmpeg state', fix: status === 'ok' ? '' : 'install ffmpeg', details: { x: 1 } },
    ],
  };
}

function service(statuses: ('ok' | 'warn' | 'fail')[]) {
  const records: LogRecord[] = [];
  const runs: boolean[] = [];
  let release: () => void = () => {};
  const svc = new DoctorService({
    log: createLogger({ file: null, level: 'debug', tap: (r) => records.push(r) }),
    provider: () => ({ name: 'cpu', reason: 'test', probes: [] }),
    run: async (quick) => {
      runs.push(quick);
      await new Promise<void>((r) => { release = r; setTimeout(r, 5); });
      return report(statuses.shift() ?? 'ok');
    },
  });
  return { svc, records, runs, release: () => release() };
}

describe('DoctorService', () => {
  it('runs quick at start, logs one line per warn/fail, and serves the cached report', async () => {
    const { svc, records, runs } = service(['fail', 'ok']);
    const started = svc.startQuick();
    const first = await svc.get(true, false); // waits for the start-up run instead of starting another
    await started;
    expect(runs).toEqual([true]);
    expect(first).toMatchObject({ status: 'fail', quick: true, provider: { name: 'cpu' } });
    expect(first.checks[1]).toEqual({ id: 'ffmpeg', status: 'fail', finding: 'ffmpeg state', fix: 'install ffmpeg' });
    expect(records.filter((r) => r.level === 'error').map((r) => r.message)).toEqual(['doctor ffmpeg: ffmpeg state']);
    expect((await svc.get(true, false)).status).toBe('fail');
    expect(runs).toEqual([true]);
    expect((await svc.get(true, true)).status).toBe('ok');
    expect(runs).toEqual([true, true]);
  });

  it('shares one run between concurrent requests; the full run is separate', async () => {
    const { svc, runs } = service(['warn', 'ok']);
    const [a, b] = await Promise.all([svc.get(true, true), svc.get(true, true)]);
    expect(a).toBe(b);
    expect(runs).toEqual([true]);
    expect((await svc.get(false, false)).quick).toBe(false);
    expect(runs).toEqual([true, false]);
  });
});
