import { describe, expect, it } from 'vitest';
import type { PlannedMemory } from '../../shared/protocol/index.js';
import { formatMemoryPlan } from './memory-format.js';
import { formatPs } from './ps-command.js';

const MiB = 1024 ** 2;
const components = ['text_encoder', 'text_encoder_2', 'image_encoder', 'vae', 'transformer'].map((component, i) => ({
  component, weightBytes: (i + 1) * MiB, activationBytes: 2 * MiB, peakBytes: (i + 3) * MiB,
}));
const fits: PlannedMemory = {
  kind: 'stream-blocks', groups: 20, fits: true, reason: null, device: 'cuda:0',
  peakBytes: 5.24 * 1024 * MiB, availableBytes: 5.5 * 1024 * MiB, bytesMovedPerCall: 23.21 * 1024 * MiB, components,
};

describe('memory plan text', () => {
  it('heads with the plan, the peak and what is available, then one row per component', () => {
    const [head, ...rows] = formatMemoryPlan(fits, '  ');
    expect(head).toBe('transformer blocks streamed in 20 groups (23.2 GiB uploaded per transformer call) on cuda:0: peak 5.2 GiB of 5.5 GiB available');
    expect(rows[0]).toMatch(/^ {2}COMPONENT +WEIGHTS +ACTIVATIONS +PEAK$/);
    expect(rows).toHaveLength(6);
    expect(rows[5]).toMatch(/^ {2}transformer +5\.0 MiB +2\.0 MiB +7\.0 MiB$/);
  });

  it('gives the refusal when it does not fit', () => {
    const [head] = formatMemoryPlan({ ...fits, kind: 'all-resident', groups: null, fits: false, reason: 'needs 9 GiB, but 5 GiB is available' });
    expect(head).toBe('does not fit on cuda:0: needs 9 GiB, but 5 GiB is available');
  });

  it('ps lists the running and queued jobs\' plans under the resident components', () => {
    const text = formatPs({ components: [], memory: null, plans: [{ jobId: 'j1', state: 'running', memory: { ...fits, kind: 'all-resident', groups: null } }] });
    const lines = text.split('\n');
    expect(lines[0]).toBe('nothing loaded');
    expect(lines[2]).toBe('job j1 (running): all components resident on cuda:0: peak 5.2 GiB of 5.5 GiB available');
    expect(lines[3]).toMatch(/^ {2}COMPONENT/);
    expect(formatPs({ components: [], memory: null })).toBe('nothing loaded');
  });
});
