// The memory plan as text, for `framepack plan` and `framepack ps`: the plan, its peak against
// what the device can give, and the expected peak per component (docs/memory.md).
import type { PlannedMemory } from '../../shared/protocol/index.js';
import { formatBytes, table } from './format.js';

const KIND_TEXT: Record<PlannedMemory['kind'], (m: PlannedMemory) => string> = {
  'all-resident': () => 'all components resident',
  'release-encoders': () => 'encoders released after conditioning',
  'stream-blocks': (m) => `transformer blocks streamed in ${m.groups} groups (${formatBytes(m.bytesMovedPerCall)} uploaded per transformer call)`,
};

/** Headline plus a per-component table, each line prefixed with `indent`. */
export function formatMemoryPlan(m: PlannedMemory, indent = ''): string[] {
  const head = m.fits
    ? `${KIND_TEXT[m.kind](m)} on ${m.device}: peak ${formatBytes(m.peakBytes)} of ${formatBytes(m.availableBytes)} available`
    : `does not fit on ${m.device}: ${m.reason ?? `peak ${formatBytes(m.peakBytes)} of ${formatBytes(m.availableBytes)} available`}`;
  const rows = [['COMPONENT', 'WEIGHTS', 'ACTIVATIONS', 'PEAK']];
  for (const c of m.components) rows.push([c.component, formatBytes(c.weightBytes), formatBytes(c.activationBytes), formatBytes(c.peakBytes)]);
  return [head, ...table(rows).split('\n').map((l) => `${indent}${l}`)];
}
