import { describe, expect, it } from 'vitest';
import { initialDashboard } from '../daemon/dashboard-store.js';
import type { DaemonStatus } from '../../shared/protocol/index.js';
import { statusSegments } from './status-bar.js';

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
