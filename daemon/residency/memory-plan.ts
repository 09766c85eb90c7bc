// The memory plan (issue 14 item 2): given each component's bytes for one job (weights from the
// bundle's files, activations at the job's bucket and window) and the bytes the device can give
// the job, pick how the job holds its components — everything resident; the encoders released
// once each has run (Llama, CLIP and SigLIP run once per job, one after another; the VAE and the
// transformer every section); or the transformer's blocks streamed in K groups — or say, with the numbers,
// that nothing fits. Pure: no I/O, no clock; the daemon side is job-memory.ts.
//
// The pipeline runs its components one after another, so a plan's peak is the largest of its
// phases, each phase being the weights on the device during it plus the largest activation of a
// component running in it.

export const PLAN_COMPONENTS = ['text_encoder', 'text_encoder_2', 'image_encoder', 'vae', 'transformer'] as const;
export type PlanComponent = (typeof PLAN_COMPONENTS)[number];

/** Components that run once per job, before sampling (conditioning). */
const ENCODERS: readonly PlanComponent[] = ['text_encoder', 'text_encoder_2', 'image_encoder'];

export interface ComponentBytes {
  /** Bytes of the component's weights as stored in the bundle (so int8/int4 bundles count what they hold). */
  weightBytes: number;
  /** Peak intermediate bytes of one call at the job's bucket and window. */
  activationBytes: number;
}

export interface MemoryPlanInput {
  components: Record<PlanComponent, ComponentBytes>;
  /** The transformer's repeated blocks (dual- and single-stream): how many, and their share of its weight bytes. */
  transformerBlocks: { count: number; weightBytes: number };
  /** Bytes the job may use on the device (free memory plus what the daemon holds, less the preserved headroom). */
  availableBytes: number;
  /** Plan kinds the engine can execute; the others are still computed and shown, but a job needing them is refused. */
  executable: readonly MemoryPlanKind[];
  /**
   * The one group count the engine can stream with: the block groups the bundle holds (manifest
   * `blockGroups`); null when the bundle has none (no streaming plan is runnable); absent: any K.
   */
  streamGroups?: number | null;
}

export type MemoryPlanKind = 'all-resident' | 'release-encoders' | 'stream-blocks';
export const MEMORY_PLAN_KINDS: readonly MemoryPlanKind[] = ['all-resident', 'release-encoders', 'stream-blocks'];

export interface PlanPhase {
  name: 'conditioning' | 'sampling' | 'decoding';
  /** Weights on the device during the phase. */
  weightBytes: number;
  /** The largest activation of a component running in the phase. */
  activationBytes: number;
  peakBytes: number;
}

export interface ComponentPeak {
  /** Weights of this component on the device while it runs (a streamed transformer: its non-block part plus two groups). */
  deviceWeightBytes: number;
  activationBytes: number;
  /** deviceWeightBytes + activationBytes: this component's own peak, other components not counted. */
  peakBytes: number;
}

export interface MemoryPlan {
  kind: MemoryPlanKind;
  /** Block groups of a streamed transformer (null unless kind is stream-blocks). */
  groups: number | null;
  peakBytes: number;
  phases: PlanPhase[];
  components: Record<PlanComponent, ComponentPeak>;
  /** Host → device weight bytes per transformer call (0 unless streaming: every block group goes up once per call). */
  bytesMovedPerCall: number;
}

export type PlanDecision =
  | { fits: true; plan: MemoryPlan; availableBytes: number }
  /** best: the plan with the smallest peak (streaming one block per group); executableBest: the smallest the engine can run. */
  | { fits: false; reason: string; best: MemoryPlan; executableBest: MemoryPlan | null; availableBytes: number };

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const maxOf = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b), 0);

function phase(name: PlanPhase['name'], weightBytes: number, activations: number[]): PlanPhase {
  const activationBytes = maxOf(activations);
  return { name, weightBytes, activationBytes, peakBytes: weightBytes + activationBytes };
}

/**
 * Bytes of one block group on the device when `count` blocks go in `groups` groups: the largest group,
 * blocks taken as equal in size (they are, within each of the two block kinds).
 */
export function groupWeightBytes(blocks: { count: number; weightBytes: number }, groups: number): number {
  return Math.ceil((blocks.weightBytes * Math.ceil(blocks.count / groups)) / blocks.count);
}

/**
 * One plan of `kind`. Streaming keeps two groups on the device (the one running and the next one
 * being uploaded, so the transfer can overlap the compute), the transformer's other weights
 * (embedders, refiner, output head) resident, and releases the encoders after conditioning.
 */
export function planOf(input: Pick<MemoryPlanInput, 'components' | 'transformerBlocks'>, kind: MemoryPlanKind, groups = 1): MemoryPlan {
  const c = input.components;
  const w = (id: PlanComponent) => c[id].weightBytes;
  const a = (id: PlanComponent) => c[id].activationBytes;
  const blocks = input.transformerBlocks;
  if (kind === 'stream-blocks' && !(Number.isInteger(groups) && groups >= 2 && groups <= blocks.count)) {
    throw new RangeError(`stream-blocks needs 2 ≤ groups ≤ ${blocks.count} (the transformer's blocks), got ${groups}`);
  }
  const streamedGroupsBytes = kind === 'stream-blocks' ? Math.min(blocks.weightBytes, 2 * groupWeightBytes(blocks, groups)) : blocks.weightBytes;
  const transformerDevice = w('transformer') - blocks.weightBytes + streamedGroupsBytes;
  let phases: PlanPhase[];
  if (kind === 'all-resident') {
    const all = sum(ENCODERS.map(w)) + w('vae') + w('transformer');
    // The VAE encodes the start image during conditioning.
    phases = [phase('conditioning', all, [...ENCODERS.map(a), a('vae')]), phase('sampling', all, [a('transformer')]), phase('decoding', all, [a('vae')])];
  } else {
    // Encoders load, run and go one at a time (each runs once per job); then the VAE (start-image
    // encode, every section's decode) and the transformer stay for the sections.
    const heaviest = ENCODERS.reduce((x, y) => (w(y) + a(y) > w(x) + a(x) ? y : x));
    phases = [
      phase('conditioning', w(heaviest), [a(heaviest)]),
      phase('sampling', w('vae') + transformerDevice, [a('transformer')]),
      phase('decoding', w('vae') + transformerDevice, [a('vae')]),
    ];
  }
  const components = Object.fromEntries(PLAN_COMPONENTS.map((id) => {
    const deviceWeightBytes = id === 'transformer' ? transformerDevice : w(id);
    return [id, { deviceWeightBytes, activationBytes: a(id), peakBytes: deviceWeightBytes + a(id) }];
  })) as Record<PlanComponent, ComponentPeak>;
  return {
    kind,
    groups: kind === 'stream-blocks' ? groups : null,
    peakBytes: maxOf(phases.map((p) => p.peakBytes)),
    phases,
    components,
    bytesMovedPerCall: kind === 'stream-blocks' ? blocks.weightBytes : 0,
  };
}

/** Every candidate in order of preference: resident, encoders released, then streaming with ever more (smaller) groups. */
export function candidatePlans(input: Pick<MemoryPlanInput, 'components' | 'transformerBlocks'>): MemoryPlan[] {
  const plans = [planOf(input, 'all-resident'), planOf(input, 'release-encoders')];
  for (let k = 2; k <= input.transformerBlocks.count; k++) plans.push(planOf(input, 'stream-blocks', k));
  return plans;
}

const GIB = 1024 ** 3;
/** Bytes for messages: GiB with two decimals, or MiB below 1 GiB (tiny bundles). */
export function formatPlanBytes(bytes: number): string {
  return bytes >= GIB ? `${(bytes / GIB).toFixed(2)} GiB` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

export function describePlan(p: MemoryPlan): string {
  if (p.kind === 'stream-blocks') return `transformer blocks streamed in ${p.groups} groups`;
  return p.kind === 'all-resident' ? 'all components resident' : 'encoders released after conditioning';
}

function whyNotRunnable(p: MemoryPlan, input: MemoryPlanInput): string {
  if (!input.executable.includes(p.kind)) return 'this engine cannot run that plan yet';
  if (input.streamGroups === null) return "this bundle has no transformer block groups (rebuild it with build-bundle's --block-groups K)";
  return `this bundle's transformer blocks are in ${input.streamGroups} groups (rebuild it with --block-groups ${p.groups})`;
}

/**
 * The first candidate whose peak fits and that the engine can execute. When none does, the reason
 * names the needed and available bytes and the largest component, and says whether a plan the
 * engine cannot run yet (streaming) would have fitted.
 */
export function chooseMemoryPlan(input: MemoryPlanInput): PlanDecision {
  const available = Math.max(0, input.availableBytes);
  const plans = candidatePlans(input);
  const runnable = plans.filter((p) => input.executable.includes(p.kind) && (p.kind !== 'stream-blocks' || input.streamGroups === undefined || p.groups === input.streamGroups));
  const pick = runnable.find((p) => p.peakBytes <= available);
  if (pick) return { fits: true, plan: pick, availableBytes: available };
  const best = plans.reduce((a, b) => (b.peakBytes < a.peakBytes ? b : a));
  const executableBest = runnable.length ? runnable.reduce((a, b) => (b.peakBytes < a.peakBytes ? b : a)) : null;
  const fitsUnrunnable = plans.find((p) => p.peakBytes <= available);
  const shown = executableBest ?? best;
  const largest = PLAN_COMPONENTS.reduce((x, y) => (shown.components[y].peakBytes > shown.components[x].peakBytes ? y : x));
  let reason = `needs ${formatPlanBytes(shown.peakBytes)} of device memory (${describePlan(shown)}; the ${largest} alone ${formatPlanBytes(shown.components[largest].peakBytes)}), `
    + `but ${formatPlanBytes(available)} is available`;
  if (fitsUnrunnable) reason += `; ${describePlan(fitsUnrunnable)} would fit (peak ${formatPlanBytes(fitsUnrunnable.peakBytes)}) but ${whyNotRunnable(fitsUnrunnable, input)}`;
  else if (executableBest && best.peakBytes < executableBest.peakBytes) reason += `; even ${describePlan(best)} would need ${formatPlanBytes(best.peakBytes)}`;
  return { fits: false, reason, best, executableBest, availableBytes: available };
}
