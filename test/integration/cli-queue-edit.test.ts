// Reorder and remove queued jobs (issue 16) through the real CLI and a real daemon (fake engine) on
// isolated XDG dirs: `jobs move ID --front|--back|--to N` (1-based), `jobs rm ID`, the events the
// dashboard follows (queue.reordered, job.removed), the refusal of a running job (pointing to
// cancel), the JobSpec limits shared with the CLI, and the new order surviving a daemon stop.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { RpcError } from '../../shared/protocol/index.js';
import { collectEvents, connectClient } from '../helpers/daemon-harness.js';
import { createCliHarness, type Run, runInProcess } from '../helpers/cli-harness.js';

const h = await createCliHarness('fp-queue-edit-');
const fake = { FRAMEPACK_ENGINE: 'fake', FRAMEPACK_FAKE_STEP_MS: '20', FRAMEPACK_FAKE_LOAD_MS: '1', FRAMEPACK_DEVICE_MEMORY: '80' };

const framepack = (...args: string[]): Promise<Run> => runInProcess(h, args, fake);

/** Queued ids in the order `framepack jobs` shows their #N. */
async function shownOrder(): Promise<string[]> {
  const r = await framepack('jobs', '--state', 'queued');
  return [...r.stdout.matchAll(/^(\S+)\s+queued\s+#(\d+)\s/gm)].sort((x, y) => Number(x[2]) - Number(y[2])).map((m) => m[1]!);
}

afterAll(async () => {
  if (existsSync(h.socketFile)) await framepack('daemon', 'stop');
  await rm(h.dir, { recursive: true, force: true });
});

describe('jobs move / jobs rm (issue 16)', () => {
  it('moves and removes queued jobs, announces it, refuses a running job and keeps the order across a stop', { timeout: 60_000 }, async () => {
    expect((await framepack('daemon', 'start')).code).toBe(0);
    expect((await framepack('pause')).code).toBe(0);
    const client = await connectClient(h.socketFile, 'queue-edit-test');
    const watch = await collectEvents(client);
    const submit = (prompt: string) => client.call('jobs.submit', { image: h.image, prompt, seconds: 1, steps: 2 });
    const a = (await submit('job a')).jobId;
    const b = (await submit('job b')).jobId;
    const c = (await submit('job c')).jobId;
    expect(await shownOrder()).toEqual([a, b, c]);

    expect(await framepack('jobs', 'move', c, '--front')).toMatchObject({ code: 0, stdout: `${c} moved to #1 of 3 queued\n` });
    expect(await shownOrder()).toEqual([c, a, b]);
    expect(await framepack('jobs', 'move', a.slice(0, -1), '--to', '3')).toMatchObject({ code: 0, stdout: `${a} moved to #3 of 3 queued\n` });
    expect(await shownOrder()).toEqual([c, b, a]);
    const back = JSON.parse((await framepack('jobs', 'move', c, '--back', '--json')).stdout);
    expect(back).toMatchObject({ position: 2, queued: [b, a, c] }); // 0-based, as the protocol
    await watch.until((ev) => ev.some((e) => e.event === 'queue.reordered' && e.payload.queued.join() === [b, a, c].join()));

    expect(await framepack('jobs', 'rm', a)).toMatchObject({ code: 0, stdout: `${a} removed from the queue (2 still queued)\n` });
    expect(await shownOrder()).toEqual([b, c]);
    expect((await framepack('jobs', '--json')).stdout).not.toContain(a);
    await watch.until((ev) => ev.some((e) => e.event === 'job.removed' && e.payload.jobId === a));

    // Usage mistakes: exit 2 with the reason, nothing sent.
    expect(await framepack('jobs', 'move', b)).toMatchObject({ code: 2, stderr: 'framepack: jobs move needs exactly one of --front, --back, --to N\n' });
    expect(await framepack('jobs', 'move', b, '--to', '0')).toMatchObject({ code: 2, stderr: "framepack: --to must be a queue position counted from 1 (1 runs next), got '0'\n" });
    expect(await framepack('jobs', 'move', b, '--front', '--back')).toMatchObject({ code: 2 });
    expect(await framepack('jobs', 'rm', a)).toMatchObject({ code: 1, stderr: `framepack: no job '${a}' (see framepack jobs)\n` });
    expect((await framepack('jobs', 'move', '--help')).stdout).toMatch(/^Usage: framepack jobs move ID \(--front \| --back \| --to N\)/);
    expect((await framepack('jobs', 'rm', '--help')).stdout).toMatch(/^Usage: framepack jobs rm ID/);
    expect(await shownOrder()).toEqual([b, c]);

    // The protocol validates at the daemon too (a client that skips the CLI's checks).
    await expect(client.call('jobs.move', { jobId: b, to: -1 } as never)).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    for (const [field, value] of [['steps', 250], ['steps', 101], ['gs', 99], ['gs', 32.5], ['cfg', 0], ['cfg', 33]] as const) {
      const refused = await client.call('jobs.submit', { image: h.image, prompt: 'x', [field]: value }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(RpcError);
      expect(refused).toMatchObject({ code: 'INVALID_PARAMS', detail: { issues: [expect.objectContaining({ path: [field] })] } });
    }

    // A running job is refused with a pointer to cancel; a finished one is refused too.
    const long = (await client.call('jobs.submit', { image: h.image, prompt: 'long job', seconds: 3, steps: 100, front: true })).jobId;
    expect((await framepack('resume')).code).toBe(0);
    await watch.until((ev) => ev.some((e) => e.event === 'job.started' && e.payload.jobId === long));
    expect((await framepack('pause')).code).toBe(0);
    const rmRunning = await framepack('jobs', 'rm', long);
    expect(rmRunning).toMatchObject({ code: 1, stdout: '' });
    expect(rmRunning.stderr).toMatch(new RegExp(`job ${long} is running; only queued jobs can be removed \\(use jobs.cancel / \`framepack cancel\` to stop it\\)`));
    expect((await framepack('jobs', 'move', long, '--back')).stderr).toMatch(/is running; only queued jobs can be moved/);
    expect((await framepack('cancel', long)).code).toBe(0);
    await watch.until((ev) => ev.some((e) => e.event === 'job.cancelled' && e.payload.jobId === long));
    expect((await framepack('jobs', 'rm', long)).stderr).toMatch(/already cancelled; only queued jobs can be removed/);
    client.close();

    // Durable: the journal the daemon leaves behind has the moved order and no removed job.
    expect(await framepack('jobs', 'move', c, '--front')).toMatchObject({ code: 0 });
    expect((await framepack('daemon', 'stop')).code).toBe(0);
    const fromJournal = await framepack('jobs', '--json', '--state', 'queued');
    expect(fromJournal.stderr).toMatch(/the daemon is not running/);
    const jobs = JSON.parse(fromJournal.stdout).jobs as { id: string; position: number }[];
    expect(jobs.sort((x, y) => x.position - y.position).map((j) => j.id)).toEqual([c, b]);
  });
});
