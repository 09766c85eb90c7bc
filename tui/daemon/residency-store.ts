// Residency as the dashboard sees it: a pure reducer from the snapshot's models and the model.* /
// telemetry events to one row per (model, component), ollama `ps` style, plus the newest memory
// telemetry for the status bar's VRAM/RAM bar.
import type { ComponentId, ComponentStatus, EventMessage, MemoryTelemetry, ModelStatus, Snapshot, UnloadReason } from '../../shared/protocol/index.js';

export interface ComponentRow extends ComponentStatus {
  /** Why it was last unloaded (model.unloaded), shown so "why did it reload?" has an answer. */
  lastUnload: UnloadReason | null;
}

export interface ModelRow {
  name: string;
  available: boolean;
  components: ComponentRow[];
}

export interface ResidencyState {
  models: ModelRow[];
  memory: MemoryTelemetry | null;
}

export type ResidencyAction =
  | { type: 'snapshot'; snapshot: Snapshot }
  | { type: 'event'; event: EventMessage }
  | { type: 'models'; models: ModelStatus[] };

export const initialResidency: ResidencyState = { models: [], memory: null };

function toRows(models: readonly ModelStatus[], previous: readonly ModelRow[]): ModelRow[] {
  return models.map((m) => ({
    name: m.name,
    available: m.available,
    components: m.components.map((c) => ({
      ...c,
      lastUnload: previous.find((p) => p.name === m.name)?.components.find((p) => p.component === c.component)?.lastUnload ?? null,
    })),
  }));
}

function blank(model: string, component: ComponentId): ComponentRow {
  return { model, component, state: 'unloaded', device: null, vramBytes: 0, ramBytes: 0, keepAliveMs: 0, expiresAt: null, leases: 0, lastUnload: null };
}

function patch(state: ResidencyState, model: string, component: ComponentId, fn: (c: ComponentRow) => ComponentRow): ResidencyState {
  const models = state.models.some((m) => m.name === model) ? state.models : [...state.models, { name: model, available: true, components: [] }];
  return {
    ...state,
    models: models.map((m) => {
      if (m.name !== model) return m;
      const has = m.components.some((c) => c.component === component);
      const components = has ? m.components : [...m.components, blank(model, component)];
      return { ...m, components: components.map((c) => (c.component === component ? fn(c) : c)) };
    }),
  };
}

export function residencyReducer(state: ResidencyState, action: ResidencyAction): ResidencyState {
  switch (action.type) {
    case 'snapshot':
      return { models: toRows(action.snapshot.models, state.models), memory: action.snapshot.memory ?? state.memory };
    case 'models':
      return { ...state, models: toRows(action.models, state.models) };
    case 'event': {
      const e = action.event;
      switch (e.event) {
        case 'model.loaded': {
          const p = e.payload;
          return patch(state, p.model, p.component, (c) => ({ ...c, state: 'loaded', device: p.device, vramBytes: p.vramBytes, ramBytes: p.ramBytes, expiresAt: p.expiresAt }));
        }
        case 'model.unloaded': {
          const p = e.payload;
          return patch(state, p.model, p.component, (c) => ({ ...c, state: 'unloaded', device: null, vramBytes: 0, ramBytes: 0, expiresAt: null, leases: 0, lastUnload: p.reason }));
        }
        case 'telemetry':
          return { ...state, memory: e.payload };
        default:
          return state;
      }
    }
  }
}

/** Every component row, model by model. */
export function componentRows(state: ResidencyState): ComponentRow[] {
  return state.models.flatMap((m) => m.components);
}

/** Bytes resident across all loaded components (VRAM and RAM). */
export function residentBytes(state: ResidencyState): { vramBytes: number; ramBytes: number } {
  let vramBytes = 0;
  let ramBytes = 0;
  for (const c of componentRows(state)) {
    if (c.state === 'unloaded') continue;
    vramBytes += c.vramBytes;
    ramBytes += c.ramBytes;
  }
  return { vramBytes, ramBytes };
}

/** The status bar's memory gauge: the first GPU's VRAM, else host RAM (CPU mode). */
export function memoryGauge(memory: MemoryTelemetry | null): { label: 'VRAM' | 'daemon RAM'; usedBytes: number; totalBytes: number } | null {
  if (!memory) return null;
  const gpu = memory.vram[0];
  // The device as a whole: what decides whether the next load fits.
  if (gpu && gpu.totalBytes > 0) return { label: 'VRAM', usedBytes: gpu.usedBytes, totalBytes: gpu.totalBytes };
  // CPU mode: the daemon's own resident memory (issue 16 item 13), not the whole machine's, which
  // other programs fill.
  if (memory.ramTotalBytes > 0) return { label: 'daemon RAM', usedBytes: memory.rssBytes, totalBytes: memory.ramTotalBytes };
  return null;
}

/** "until" column: relative time to expiry, "in use", "forever" or "–". */
export function untilText(c: ComponentRow, nowMs: number): string {
  if (c.state === 'unloaded') return '–';
  if (c.leases > 0) return 'in use';
  if (c.expiresAt === null) return c.keepAliveMs === -1 ? 'forever' : 'in use';
  const left = Date.parse(c.expiresAt) - nowMs;
  if (left <= 0) return 'now';
  return formatDuration(left);
}

/** 1 h 2 m / 3 m 4 s / 5 s. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/** 1.5 GiB / 300 MiB / 12 KiB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}
