// TEST HOOK, inert unless FRAMEPACK_TEST_CRASH_AT is set: `FRAMEPACK_TEST_CRASH_AT=<stage>[:<section>]`
// makes the process kill itself with SIGKILL when the pipeline reaches that point, so the crash
// tests (test/integration/daemon-crash-stages.test.ts) can stop a real daemon at an exact stage
// instead of racing a timer. Stages, in the order a section meets them:
//   sample  — after the first sampling step of section <section>
//   decode  — before section <section>'s VAE decode
//   append  — after the decode, before the soft-append onto the pixel history
//   partial — partial-<section>.mp4 encoded to its temp file, before the rename
//   encode  — the final MP4 encoded to its temp file, before the rename (no section)
// Documented in docs/daemon.md ("What survives what"). Never set it outside tests.
import { writeSync } from 'node:fs';

export const CRASH_STAGES = ['sample', 'decode', 'append', 'partial', 'encode'] as const;
export type CrashStage = (typeof CRASH_STAGES)[number];

export interface CrashAt {
  stage: CrashStage;
  /** 1-based section (generation order); null = the first time the stage is reached. */
  section: number | null;
}

/** Parses the env value; throws on a malformed one (a typo must not silently disable a crash test). */
export function parseCrashAt(value: string | undefined): CrashAt | null {
  if (value === undefined || value === '') return null;
  const m = /^([a-z]+)(?::(\d+))?$/.exec(value);
  const stage = m?.[1] as CrashStage | undefined;
  if (!m || !stage || !(CRASH_STAGES as readonly string[]).includes(stage)) {
    throw new Error(`FRAMEPACK_TEST_CRASH_AT=${JSON.stringify(value)}: expected <stage>[:<section>] with stage one of ${CRASH_STAGES.join(', ')}`);
  }
  return { stage, section: m[2] === undefined ? null : Number(m[2]) };
}

/** Whether `at` names this point (pure, for the unit test). */
export function crashMatches(at: CrashAt | null, stage: CrashStage, section: number | null): boolean {
  return at !== null && at.stage === stage && (at.section === null || at.section === section);
}

let parsed: { at: CrashAt | null } | null = null;

/** SIGKILLs this process when FRAMEPACK_TEST_CRASH_AT names this point; otherwise does nothing. */
export function crashPoint(stage: CrashStage, section: number | null = null): void {
  parsed ??= { at: parseCrashAt(process.env.FRAMEPACK_TEST_CRASH_AT) };
  if (!crashMatches(parsed.at, stage, section)) return;
  // writeSync: in the engine's worker thread process.stderr is an async pipe to the main thread.
  writeSync(2, `FRAMEPACK_TEST_CRASH_AT: killing pid ${process.pid} at ${stage}${section === null ? '' : `:${section}`}\n`);
  process.kill(process.pid, 'SIGKILL');
}
