import { describe, expect, it } from 'vitest';
import { RpcError, type DoctorResult, type HelloResult } from '../../shared/protocol/index.js';
import { fetchDoctor } from './doctor-source.js';

const hello = (features: string[]): HelloResult => ({ protocolVersion: 1, daemonVersion: 'x', pid: 1, instanceId: 'i', features, maxFrameBytes: 1 });
const result: DoctorResult = {
  status: 'warn', quick: true, ranAt: '2026-11-28T03:00:00.000Z', durationMs: 5,
  provider: { name: 'cpu', reason: 'no GPU', probes: [] }, checks: [{ id: 'gpu', status: 'warn', finding: 'f', fix: 'x' }],
};
const fallback = async () => ({ status: 'ok' as const, checks: [] });

describe('fetchDoctor', () => {
  it('asks the daemon when it serves daemon.doctor, passing refresh', async () => {
    const calls: unknown[] = [];
    const r = await fetchDoctor({ hello: hello(['daemon.doctor']), refresh: true, fallback, call: async (p) => (calls.push(p), result) });
    expect(calls).toEqual([{ refresh: true }]);
    expect(r).toEqual({ status: 'warn', provider: 'cpu', providerReason: 'no GPU', checks: result.checks, source: 'daemon', ranAt: result.ranAt });
  });

  it('falls back to the child process only for an older daemon, and says so without one', async () => {
    const call = async (): Promise<DoctorResult> => { throw new Error('must not be called'); };
    expect(await fetchDoctor({ hello: hello([]), refresh: false, fallback, call })).toEqual({ status: 'ok', checks: [], source: 'process' });
    await expect(fetchDoctor({ hello: hello([]), refresh: false, call })).rejects.toThrow(/no daemon.doctor/);
    const missing = async (): Promise<DoctorResult> => { throw new RpcError('NOT_FOUND', "unknown method 'daemon.doctor'"); };
    expect((await fetchDoctor({ hello: hello(['daemon.doctor']), refresh: false, fallback, call: missing })).source).toBe('process');
    const broken = async (): Promise<DoctorResult> => { throw new RpcError('INTERNAL', 'bug'); };
    await expect(fetchDoctor({ hello: hello(['daemon.doctor']), refresh: false, fallback, call: broken })).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});
