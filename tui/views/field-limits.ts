// Per-field validation of the new-job form as the user types (issue 16 item 6), with the limits of
// the protocol and of the CLI: each number must pass the protocol's JobSpec field
// (shared/domain/job.ts, what jobs.submit validates) and the `defaults.*` schema of the same flag
// (shared/settings/user-settings.ts: the ranges `framepack generate` documents and the engine
// enforces at submit — steps 1–100, gs 0–32, cfg 1–32; the protocol's JobSpec has the same limits now).
// The message names the range from those schemas and the value typed. Pure.
import type { z } from 'zod';
import { JobSpec } from '../../shared/protocol/index.js';
import { JOB_DEFAULTS } from '../../shared/settings/user-settings.js';

export type NumericField = 'seconds' | 'seed' | 'steps' | 'gs' | 'cfg' | 'rs' | 'window' | 'crf' | 'shift' | 'resolution' | 'extendContext';

const SCHEMAS: Record<NumericField, z.ZodType[]> = {
  seconds: [JobSpec.shape.seconds, JOB_DEFAULTS.seconds],
  seed: [JobSpec.shape.seed, JOB_DEFAULTS.seed],
  steps: [JobSpec.shape.steps, JOB_DEFAULTS.steps],
  gs: [JobSpec.shape.gs, JOB_DEFAULTS.gs],
  cfg: [JobSpec.shape.cfg, JOB_DEFAULTS.cfg],
  rs: [JobSpec.shape.rs, JOB_DEFAULTS.rs],
  window: [JobSpec.shape.window, JOB_DEFAULTS.window],
  crf: [JobSpec.shape.crf, JOB_DEFAULTS.crf],
  shift: [JobSpec.shape.shift, JOB_DEFAULTS.shift],
  resolution: [JobSpec.shape.resolution],
  extendContext: [JobSpec.shape.extendContext],
};

interface NumberBounds { minValue: number | null; maxValue: number | null; isInt: boolean }

/** The ZodNumber under .default()/.optional() wrappers (zod 4 exposes its bounds). */
function bounds(schema: z.ZodType): NumberBounds | null {
  let s: unknown = schema;
  for (let i = 0; i < 5 && s && typeof (s as { unwrap?: unknown }).unwrap === 'function'; i++) s = (s as { unwrap: () => unknown }).unwrap();
  const n = s as Partial<NumberBounds> | null;
  return n && typeof n.isInt === 'boolean' ? { minValue: n.minValue ?? null, maxValue: n.maxValue ?? null, isInt: n.isInt } : null;
}

/** The range every schema of the field accepts, as text: "an integer 1–100", "> 0 and ≤ 120". */
export function rangeText(field: NumericField): string {
  let lo = -Infinity;
  let hi = Infinity;
  let int = false;
  for (const s of SCHEMAS[field]) {
    const b = bounds(s);
    if (!b) continue;
    if (b.minValue !== null) lo = Math.max(lo, b.minValue);
    if (b.maxValue !== null) hi = Math.min(hi, b.maxValue);
    int ||= b.isInt;
  }
  // gt(0) and min(0) report the same bound: whether the bound itself passes tells them apart.
  const loOpen = Number.isFinite(lo) && !accepts(field, lo);
  const kind = int ? 'an integer ' : '';
  if (hi >= Number.MAX_SAFE_INTEGER) return `${kind}${loOpen ? '>' : '≥'} ${lo}`;
  return loOpen ? `${kind}> ${lo} and ≤ ${hi}` : `${kind}${lo}–${hi}`;
}

function accepts(field: NumericField, value: number): boolean {
  return SCHEMAS[field].every((s) => s.safeParse(value).success);
}

/** Why the text typed into a number field is not a valid value, or null when it is. */
export function numberFieldError(field: NumericField, text: string): string | null {
  const t = text.trim();
  if (t === '') return isOptionalNumber(field) ? null : `enter a number, ${rangeText(field)}`;
  const n = Number(t);
  if (!Number.isFinite(n)) return `not a number: "${t}"; ${rangeText(field)}`;
  return accepts(field, n) ? null : `must be ${rangeText(field)} (got ${t})`;
}

export const NUMERIC_FIELDS: readonly NumericField[] = ['seconds', 'seed', 'steps', 'gs', 'cfg', 'rs', 'window', 'crf', 'shift', 'resolution', 'extendContext'];

/** Number fields that may stay empty: the spec leaves them out (shift: derived from the resolution, as the official sampler does). */
const OPTIONAL_NUMBERS: readonly NumericField[] = ['shift', 'resolution', 'extendContext'];

export function isOptionalNumber(field: NumericField): boolean {
  return OPTIONAL_NUMBERS.includes(field);
}

export function isNumericField(id: string): id is NumericField {
  return (NUMERIC_FIELDS as readonly string[]).includes(id);
}
