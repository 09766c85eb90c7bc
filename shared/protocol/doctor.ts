// daemon.doctor's shapes: the doctor's checks (docs/doctor.md) as the daemon serves them — run at
// start without the reference generation and cached — plus the execution provider in use. Shared
// with daemon.status, which reports the provider too.
import { z } from 'zod';

export const CheckStatus = z.enum(['ok', 'warn', 'fail']);
export type CheckStatus = z.infer<typeof CheckStatus>;

export const DoctorCheck = z.object({
  /** Stable, dotted: 'node.version', 'ort.ep.cuda', 'gpu.0', … */
  id: z.string().max(200),
  status: CheckStatus,
  /** One line: what was found. */
  finding: z.string().max(2000),
  /** One line the user can act on; '' when ok. */
  fix: z.string().max(2000),
});
export type DoctorCheck = z.infer<typeof DoctorCheck>;

export const ExecutionProviderName = z.enum(['cuda', 'webgpu', 'cpu']);

/** The provider the daemon's engine runs on, and why (daemon.status, daemon.doctor). */
export const ExecutionProviderInfo = z.object({
  name: ExecutionProviderName,
  /** One line: why this provider (probe result, FRAMEPACK_EP, or the fake engine). */
  reason: z.string().max(2000),
  /** Each probed provider: usable or the first line of why not. Empty when nothing was probed. */
  probes: z.array(z.object({ provider: z.string().max(32), usable: z.boolean(), error: z.string().max(2000).nullable() })),
});
export type ExecutionProviderInfo = z.infer<typeof ExecutionProviderInfo>;

export const DoctorParams = z.strictObject({
  /** Skip the reference generation (default). false runs it too, in the daemon, beside any job. */
  quick: z.boolean().default(true),
  /** Run the checks again instead of answering with the cached report. */
  refresh: z.boolean().default(false),
});

export const DoctorResult = z.object({
  status: CheckStatus,
  checks: z.array(DoctorCheck),
  /** The execution provider in use; null while the start-up probe is still running. */
  provider: ExecutionProviderInfo.nullable(),
  quick: z.boolean(),
  /** When these checks ran, and how long they took. */
  ranAt: z.iso.datetime({ offset: true }),
  durationMs: z.number().nonnegative(),
});
export type DoctorResult = z.infer<typeof DoctorResult>;
