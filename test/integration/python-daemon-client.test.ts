// scripts/examples/python_client.py (standard library only) against a real daemon process (fake
// engine): it submits a job and follows it to exactly one terminal event; a refused job exits 2.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type DaemonProcess } from '../helpers/daemon-harness.js';

const run = promisify(execFile);
const script = path.resolve(import.meta.dirname, '../../scripts/examples/python_client.py');
let d: DaemonProcess;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(async () => d?.cleanup());

describe('Python example client', () => {
  it('submits a job and follows it to job.succeeded', async () => {
    const { stdout } = await run('python3', [script, d.image(), 'a fox', '--seconds', '2', '--steps', '2', '--socket', d.socketFile], { timeout: 20_000 });
    const events = stdout.trim().split('\n').map((l) => JSON.parse(l) as { seq: number; event: string; payload: { outputPath?: string } });
    expect(events[0]!.event).toBe('job.queued');
    expect(events.at(-1)!.event).toBe('job.succeeded');
    expect(events.filter((e) => e.event.startsWith('job.') && ['job.succeeded', 'job.failed', 'job.cancelled'].includes(e.event))).toHaveLength(1);
    expect(events.filter((e) => e.event === 'section.done')).toHaveLength(2);
    expect(events.at(-1)!.payload.outputPath).toMatch(/\.mp4$/);
  });

  it('exits 2 with the field error when the daemon refuses the job', async () => {
    const err = await run('python3', [script, '/nonexistent.png', 'x', '--socket', d.socketFile], { timeout: 20_000 }).catch((e: { code: number; stdout: string }) => e);
    expect((err as { code: number }).code).toBe(2);
    expect(JSON.parse((err as { stdout: string }).stdout)).toMatchObject({ event: 'submit.refused', error: { code: 'INVALID_PARAMS' } });
  });
});
