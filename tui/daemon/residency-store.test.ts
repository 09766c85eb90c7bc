import { describe, expect, it } from 'vitest';
import { ev, models, snapshot } from '../../test/helpers/tui-fixtures.js';
import { componentRows, formatBytes, formatDuration, initialResidency, memoryGauge, residencyReducer, residentBytes, untilText } from './residency-store.js';

const GiB = 1024 ** 3;

describe('residency store', () => {
  it('applies model.loaded / model.unloaded to the snapshot rows, keeping the unload reason', () => {
    let s = residencyReducer(initialResidency, { type: 'snapshot', snapshot: snapshot() });
    expect(componentRows(s).map((c) => `${c.component}:${c.state}`)).toEqual(['text-encoder:unloaded', 'vae:unloaded', 'transformer:unloaded']);
    s = residencyReducer(s, { type: 'event', event: ev('model.loaded', { model: 'framepack-tiny', component: 'transformer', device: 'cuda:0', vramBytes: 25 * GiB, ramBytes: 0, loadMs: 10, expiresAt: '2026-11-28T03:05:00.000Z' }) });
    const t = componentRows(s).find((c) => c.component === 'transformer')!;
    expect(t).toMatchObject({ state: 'loaded', device: 'cuda:0', vramBytes: 25 * GiB });
    expect(residentBytes(s)).toEqual({ vramBytes: 25 * GiB, ramBytes: 0 });
    expect(untilText(t, Date.parse('2026-11-28T03:00:00.000Z'))).toBe('5m00s');
    s = residencyReducer(s, { type: 'event', event: ev('model.unloaded', { model: 'framepack-tiny', component: 'transformer', reason: 'keep-alive-expired' }) });
    expect(componentRows(s).find((c) => c.component === 'transformer')).toMatchObject({ state: 'unloaded', vramBytes: 0, lastUnload: 'keep-alive-expired' });
    // A new snapshot keeps the last reason, a model we never saw is added.
    s = residencyReducer(s, { type: 'snapshot', snapshot: snapshot() });
    expect(componentRows(s).find((c) => c.component === 'transformer')!.lastUnload).toBe('keep-alive-expired');
    s = residencyReducer(s, { type: 'event', event: ev('model.loaded', { model: 'other', component: 'vae', device: 'cpu', vramBytes: 0, ramBytes: GiB, loadMs: 1, expiresAt: null }) });
    expect(s.models.map((m) => m.name)).toEqual(['framepack-tiny', 'other']);
    expect(models()).toHaveLength(1);
  });

  it('chooses VRAM for the gauge when a GPU reports, else the daemon\'s own RAM (not the machine\'s)', () => {
    const base = { at: '2026-11-28T03:00:00.000Z', rssBytes: GiB, ramUsedBytes: 8 * GiB, ramTotalBytes: 32 * GiB };
    expect(memoryGauge({ ...base, vram: [] })).toEqual({ label: 'daemon RAM', usedBytes: GiB, totalBytes: 32 * GiB });
    expect(memoryGauge({ ...base, vram: [{ device: 'cuda:0', usedBytes: 40 * GiB, totalBytes: 80 * GiB, processBytes: null }] })).toEqual({ label: 'VRAM', usedBytes: 40 * GiB, totalBytes: 80 * GiB });
    let s = residencyReducer(initialResidency, { type: 'event', event: ev('telemetry', { ...base, vram: [] }) });
    expect(s.memory?.ramTotalBytes).toBe(32 * GiB);
    s = residencyReducer(s, { type: 'snapshot', snapshot: snapshot() }); // a snapshot without memory keeps the last telemetry
    expect(s.memory).not.toBeNull();
  });

  it('formats bytes and durations', () => {
    expect([formatBytes(512), formatBytes(1536), formatBytes(25 * GiB), formatBytes(1.5 * GiB)]).toEqual(['512 B', '1.5 KiB', '25 GiB', '1.5 GiB']);
    expect([formatDuration(4_400), formatDuration(65_000), formatDuration(3_723_000)]).toEqual(['4s', '1m05s', '1h02m']);
  });
});
