import { describe, expect, it } from 'vitest';
import { availableForJob, parseCgroupMemory, readRamDevice } from './device-memory.js';

const GB = 1024 ** 3;

describe('device memory for the plan', () => {
  it('reads a cgroup limit; "max" and v1 no-limit values mean none', () => {
    expect(parseCgroupMemory('8589934592\n', '1073741824\n')).toEqual({ limitBytes: 8 * GB, usageBytes: GB });
    expect(parseCgroupMemory('max\n', '1073741824\n')).toBeNull();
    expect(parseCgroupMemory('9223372036854771712\n', '1\n')).toBeNull();
    expect(parseCgroupMemory(null, '1')).toBeNull();
  });

  it('gives free plus held bytes, capped by the budget (total or --device-memory, less the headroom)', () => {
    const r = { device: 'cuda:0', totalBytes: 24 * GB, freeBytes: 10 * GB };
    expect(availableForJob(r, { preserveBytes: 6 * GB, heldBytes: 0 })).toBe(10 * GB);
    expect(availableForJob(r, { preserveBytes: 6 * GB, heldBytes: 9 * GB })).toBe(18 * GB);
    expect(availableForJob(r, { preserveBytes: 0, heldBytes: 0, deviceMemoryBytes: 6 * GB })).toBe(6 * GB);
    expect(availableForJob(r, { preserveBytes: 8 * GB, heldBytes: 0, deviceMemoryBytes: 6 * GB })).toBe(0);
  });

  it('reads host RAM as the CPU device', () => {
    const r = readRamDevice();
    expect(r.device).toBe('cpu');
    expect(r.freeBytes).toBeGreaterThan(0);
    expect(r.freeBytes).toBeLessThanOrEqual(r.totalBytes);
  });
});
