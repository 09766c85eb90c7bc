// The fallback doctor: `framepack doctor --json --quick` as a child process, used only when the
// daemon is too old to serve `daemon.doctor` (doctor-source.ts picks). The checks live in
// daemon/diagnostics, which tui/ may not import; the report is validated here with the fields the
// Problems list shows.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { z } from 'zod';
import { REPO_ROOT } from './connection.js';

export const DoctorCheck = z.object({
  id: z.string(),
  status: z.enum(['ok', 'warn', 'fail']),
  finding: z.string(),
  fix: z.string(),
});
export type DoctorCheck = z.infer<typeof DoctorCheck>;

export const DoctorReport = z.object({
  status: z.enum(['ok', 'warn', 'fail']),
  provider: z.string().optional(),
  /** Why that provider (daemon.doctor only). */
  providerReason: z.string().optional(),
  checks: z.array(DoctorCheck),
  /** daemon = served by daemon.doctor; process = the child-process fallback. */
  source: z.enum(['daemon', 'process']).optional(),
  /** When the checks ran (daemon.doctor only). */
  ranAt: z.string().optional(),
});
export type DoctorReport = z.infer<typeof DoctorReport>;

/** How long a quick doctor run may take. */
export const DOCTOR_TIMEOUT_MS = 120_000;

export interface DoctorCommand {
  command: string;
  args: string[];
}

export function defaultDoctorCommand(): DoctorCommand {
  return { command: process.execPath, args: [path.join(REPO_ROOT, 'bin', 'framepack.js'), 'doctor', '--json', '--quick'] };
}

/** Run doctor and parse its report (doctor exits 1 when a check failed; the JSON is still on stdout). */
export function runDoctor(cmd: DoctorCommand = defaultDoctorCommand(), env: NodeJS.ProcessEnv = process.env): Promise<DoctorReport> {
  return new Promise((resolve, reject) => {
    execFile(cmd.command, cmd.args, { env, timeout: DOCTOR_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      try {
        resolve(DoctorReport.parse(JSON.parse(stdout)));
      } catch {
        reject(new Error(`doctor gave no report${err ? `: ${err.message.split('\n')[0]}` : ''}${stderr ? ` (${stderr.trim().split('\n').at(-1)})` : ''}`));
      }
    });
  });
}

/** Worst first: fail, warn, then ok. */
export function sortChecks(checks: readonly DoctorCheck[]): DoctorCheck[] {
  const rank = { fail: 0, warn: 1, ok: 2 } as const;
  return [...checks].sort((a, b) => rank[a.status] - rank[b.status]);
}
