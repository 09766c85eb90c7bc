import { describe, expect, it } from 'vitest';
import { chooseVictims, evictionOrder, type EvictionCandidate } from './eviction.js';

const c = (key: string, bytes: number, leases: number, keepAliveMs: number, lastUsedMs: number): EvictionCandidate => ({ key, bytes, leases, keepAliveMs, lastUsedMs });

describe('chooseVictims', () => {
  it('evicts nothing when the new component fits', () => {
    expect(chooseVictims([c('a', 10, 0, 1000, 0)], 5, 20, 'x')).toEqual({ victims: [], reason: '' });
  });

  it('takes idle components first, shortest keep-alive first, forever last', () => {
    const resident = [c('forever', 10, 0, -1, 0), c('long', 10, 0, 600_000, 0), c('short', 10, 0, 1_000, 5), c('busy', 10, 1, 0, 0)];
    expect(evictionOrder(resident).map((v) => v.key)).toEqual(['short', 'long', 'forever']);
    const choice = chooseVictims(resident, 10, 40, 'm/transformer');
    expect(choice?.victims.map((v) => v.key)).toEqual(['short']);
    expect(choice?.reason).toContain('m/transformer needs');
  });

  it('breaks keep-alive ties by least recent use', () => {
    const resident = [c('recent', 10, 0, 1000, 50), c('old', 10, 0, 1000, 10)];
    expect(chooseVictims(resident, 10, 20, 'x')?.victims.map((v) => v.key)).toEqual(['old']);
  });

  it('never evicts leased components and says null when nothing can make room', () => {
    expect(chooseVictims([c('busy', 30, 1, 0, 0), c('idle', 5, 0, 0, 0)], 20, 40, 'x')).toBeNull();
  });
});
