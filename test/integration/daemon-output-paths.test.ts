// Output paths are checked at submit against a real daemon (issue 15 item 8, issue 16 item 7): a
// parent that is a file or a FIFO, a missing parent, a 300-character name, an `out` that is not an
// .mp4, a folder or FIFO at `out`, and an existing file framepack did not write are refused with
// INVALID_PARAMS naming `out` and a stable detail.reason — nothing is queued or created. A file we
// wrote (our sidecar beside it) is replaced, and `overwrite: true` replaces a foreign one.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTPUT_SCHEMA } from '../../daemon/media/output-files.js';
import type { RpcClient } from '../../shared/ipc/rpc-client.js';
import { collectEvents, startDaemon, terminalsOf, type DaemonProcess } from '../helpers/daemon-harness.js';

let d: DaemonProcess;
let c: RpcClient;

beforeAll(async () => {
  d = await startDaemon();
  c = await d.client();
});
afterAll(async () => {
  await d?.cleanup();
});

const submit = (out: string, extra: Record<string, unknown> = {}) => c.call('jobs.submit', { image: d.image(), prompt: 'p', seconds: 1, steps: 1, out, ...extra });

describe('jobs.submit refuses a bad out before anything is queued', () => {
  it.each([
    ['a parent that is a file', (b: string) => { writeFileSync(path.join(b, 'afile'), 'x'); return path.join(b, 'afile', 'x.mp4'); }, 'parent-not-a-folder'],
    ['a parent that is a FIFO', (b: string) => { execFileSync('mkfifo', [path.join(b, 'fifo')]); return path.join(b, 'fifo', 'x.mp4'); }, 'parent-not-a-folder'],
    ['a missing parent', (b: string) => path.join(b, 'no', 'such', 'x.mp4'), 'parent-missing'],
    ['a 300-character name', (b: string) => path.join(b, `${'n'.repeat(296)}.mp4`), 'name-too-long'],
    ['an out that is not an .mp4', (b: string) => path.join(b, 'video-folder'), 'not-mp4'],
    ['a folder at out', (b: string) => { mkdirSync(path.join(b, 'dir.mp4')); return path.join(b, 'dir.mp4'); }, 'target-not-a-file'],
    ['a FIFO at out', (b: string) => { execFileSync('mkfifo', [path.join(b, 'f.mp4')]); return path.join(b, 'f.mp4'); }, 'target-not-a-file'],
    ['an existing file framepack did not write', (b: string) => { writeFileSync(path.join(b, 'theirs.mp4'), 'precious'); return path.join(b, 'theirs.mp4'); }, 'exists'],
  ])('%s', async (_what, make, reason) => {
    const out = make(d.base);
    await expect(submit(out)).rejects.toMatchObject({ code: 'INVALID_PARAMS', detail: { reason, issues: [{ path: ['out'] }] } });
    expect((await c.call('jobs.list', {})).jobs).toEqual([]);
    if (reason === 'not-mp4') expect(existsSync(out)).toBe(false);
  });
});

describe('replacing an existing output', () => {
  it('replaces a foreign file only with overwrite: true, and our own video without asking', async () => {
    const col = await collectEvents(c);
    const theirs = path.join(d.base, 'replace-me.mp4');
    writeFileSync(theirs, 'precious');
    const a = await submit(theirs, { overwrite: true });
    await col.until((ev) => terminalsOf(ev, a.jobId).length > 0);
    expect(terminalsOf(col.events, a.jobId)[0]!.event).toBe('job.succeeded');
    expect(readFileSync(theirs, 'utf8')).not.toBe('precious');

    const ours = path.join(d.base, 'ours.mp4');
    writeFileSync(ours, 'old video');
    writeFileSync(path.join(d.base, 'ours.json'), JSON.stringify({ schema: OUTPUT_SCHEMA, video: 'ours.mp4' }));
    const b = await submit(ours);
    await col.until((ev) => terminalsOf(ev, b.jobId).length > 0);
    expect(terminalsOf(col.events, b.jobId)[0]!.event).toBe('job.succeeded');
    expect(readFileSync(ours, 'utf8')).not.toBe('old video');
  });
});

describe('an out that stopped being usable while the job waited', () => {
  it('fails the job with INVALID_PARAMS at its start instead of recreating the deleted folder', async () => {
    const col = await collectEvents(c);
    const dir = path.join(d.base, 'gone');
    mkdirSync(dir);
    await c.call('queue.pause', {});
    const { jobId } = await submit(path.join(dir, 'x.mp4'));
    rmSync(dir, { recursive: true });
    await c.call('queue.resume', {});
    await col.until((ev) => terminalsOf(ev, jobId).length > 0);
    const t = terminalsOf(col.events, jobId)[0]!;
    expect(t.event).toBe('job.failed');
    expect((t.payload as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'INVALID_PARAMS', message: expect.stringMatching(/^out: the folder .*gone does not exist .*changed after the job was submitted/),
    });
    expect(existsSync(dir)).toBe(false);
  });
});
