import { describe, expect, it } from 'vitest';
import { initialDashboard } from '../daemon/dashboard-store.js';
import type { DaemonStatus } from '../../shared/protocol/index.js';
import { fitSegments, statusSegments } from './status-bar.js';

type Daemon = Parameters<typeof statusSegments>[0];
const daemon = (status: Partial<DaemonStatus> | null) => ({ connection: 'ready', data: { ...initialDashboard, status } }) as unknown as Daemon;

describe('status bar', () => {
  it('names the execution provider the daemon runs on once daemon.status reports it', () => {
    expect(statusSegments(daemon(null))).toEqual(['● ready']);
    expect(statusSegments(daemon({ provider: null }))).toEqual(['● ready']);
    const onWebgpu = { provider: { name: 'webgpu' as const, reason: 'the CUDA provider is not usable (x); WebGPU found an adapter', probes: [] } };
    expect(statusSegments(daemon(onWebgpu))).toEqual(['● ready', 'on webgpu']);
  });
});

describe('status bar on a worker of a shared queue', () => {
  const cluster = { queue: 'redis://:***@10.0.0.5:6379/0', worker: 'gpu1:4242', connected: true, running: null, done: 3, failed: 0 };
  it('names the queue (password redacted as the daemon sends it), and says when Redis is unreachable', () => {
    expect(statusSegments(daemon({ cluster }))).toEqual(['● ready', 'worker of redis://:***@10.0.0.5:6379/0']);
    expect(statusSegments(daemon({ cluster: { ...cluster, connected: false } }))).toEqual(['● ready', 'worker of redis://:***@10.0.0.5:6379/0 (unreachable)']);
  });
  it('gives the queue up first when a notice needs the room', () => {
    const segs = ['● ready', 'on cpu', 'worker of redis://:***@10.0.0.5:6379/0', 'queue 0'];
    expect(fitSegments(segs, 70, 30)).toEqual(['● ready', 'on cpu', 'queue 0']);
  });
});

describe('fitSegments: a notice gets room before the gauges', () => {
  const segs = ['● ready', 'on cpu', 'daemon RAM ▮▯▯▯▯▯ 300 MiB/23 GiB', 'queue 0', '▶ abc s1/4 25%'];
  it('keeps everything when the notice fits', () => {
    expect(fitSegments(segs, 160, 30)).toEqual(segs);
    expect(fitSegments(segs, 80, 0)).toEqual(segs);
  });
  it('drops the memory gauge, then the provider, never the state or the running job', () => {
    expect(fitSegments(segs, 100, 30)).toEqual(['● ready', 'on cpu', 'queue 0', '▶ abc s1/4 25%']);
    expect(fitSegments(segs, 70, 40)).toEqual(['● ready', 'queue 0', '▶ abc s1/4 25%']);
  });
});
