// Issue 16's CLI items as a new user meets them, through the real command (bin/framepack.js) and a
// real daemon (fake engine) on isolated XDG dirs: -h/--help never acts, daemon flags are checked
// before a daemon is spawned, typos get suggestions, job ids take prefixes and `last`, cancel of a
// finished job fails, queue positions count from 1, and `jobs` reads the journal when the daemon is down.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { connectClient } from '../helpers/daemon-harness.js';
import { createCliHarness, type Run, runInProcess } from '../helpers/cli-harness.js';

const h = await createCliHarness('fp-newuser-');
const fake = { FRAMEPACK_ENGINE: 'fake', FRAMEPACK_FAKE_STEP_MS: '5', FRAMEPACK_FAKE_LOAD_MS: '1', FRAMEPACK_DEVICE_MEMORY: '80' };
/** The real command as a child process (bin/framepack.js): for what must hold end to end. */
const spawned = (...args: string[]) => h.framepack(args, fake);

const framepack = (...args: string[]): Promise<Run> => runInProcess(h, args, fake);

afterAll(async () => {
  if (existsSync(h.socketFile)) await spawned('daemon', 'stop');
  await rm(h.dir, { recursive: true, force: true });
});

let secondJobId = '';

const commonPrefix = (a: string, b: string) => {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return a.slice(0, i);
};

describe('the CLI as a new user finds it (issue 16)', () => {
  it('`daemon start --help` / `restart --help` print help; a bad daemon flag is refused before any daemon starts', { timeout: 30_000 }, async () => {
    for (const sub of ['start', 'restart']) {
      const r = await (sub === 'start' ? spawned : framepack)('daemon', sub, '--help');
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toMatch(/^Usage: framepack daemon/);
    }
    const bad = await spawned('daemon', 'start', '--engin', 'fake');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('framepack: daemon start: unknown flag --engin (did you mean --engine?) (see framepack daemon --help)\n');
    const badValue = await framepack('daemon', 'start', '--max-queue', 'lots');
    expect(badValue).toMatchObject({ code: 2, stderr: "framepack: daemon start: --max-queue must be a non-negative integer, got 'lots'\n" });
    expect(existsSync(h.socketFile)).toBe(false);
    const main = await framepack('--help');
    expect(main.stdout).toMatch(/no arguments, in a terminal: open the dashboard/);
  });

  it('typos get a suggestion and our own message', { timeout: 30_000 }, async () => {
    expect(await spawned('genrate')).toMatchObject({ code: 2, stderr: "framepack: unknown command 'genrate' (did you mean generate?) (see framepack --help)\n" });
    expect(await framepack('generate', '--imgae', 'x.png')).toMatchObject({ code: 2, stderr: 'framepack: generate: unknown flag --imgae (did you mean --image?) (see framepack generate --help)\n' });
    expect(await framepack('--verison')).toMatchObject({ code: 2, stderr: 'framepack: unknown flag --verison (did you mean --version?) (see framepack --help)\n' });
    expect(await framepack('jobs', '--jsno')).toMatchObject({ code: 2, stderr: 'framepack: jobs: unknown flag --jsno (did you mean --json?) (see framepack jobs --help)\n' });
    for (const cmd of ['jobs', 'cancel']) {
      const help = await framepack(cmd, '--help');
      expect(help.code).toBe(0);
      // A description, not only a usage line.
      expect(help.stdout.split('\n').length).toBeGreaterThan(6);
      expect(help.stdout).toMatch(/unique prefix/);
    }
  });

  it('with a running daemon: --help does not stop it or pause the queue; ids take prefixes and `last`; positions count from 1; cancel of a finished job fails', { timeout: 60_000 }, async () => {
    expect((await framepack('daemon', 'start')).code).toBe(0);
    const stopHelp = await spawned('daemon', 'stop', '--help');
    expect(stopHelp.code).toBe(0);
    const pauseHelp = await spawned('pause', '--help');
    expect(pauseHelp.stdout).toMatch(/^Usage: framepack pause/);
    const status = JSON.parse((await framepack('daemon', 'status', '--json')).stdout);
    expect(status).toMatchObject({ running: true, queue: { paused: false } });

    expect((await framepack('pause')).code).toBe(0);
    const client = await connectClient(h.socketFile, 'new-user-test');
    const a = await client.call('jobs.submit', { image: h.image, prompt: 'first job', seconds: 1, steps: 2 });
    const b = await client.call('jobs.submit', { image: h.image, prompt: 'second job', seconds: 1, steps: 2 });
    client.close();
    secondJobId = b.jobId;

    const listed = await framepack('jobs');
    expect(listed.stdout).toMatch(new RegExp(`${a.jobId}\\s+queued\\s+#1\\s`));
    expect(listed.stdout).toMatch(new RegExp(`${b.jobId}\\s+queued\\s+#2\\s`));
    expect((await framepack('jobs', 'show', a.jobId.slice(0, a.jobId.length - 2))).stdout).toMatch(/queued at position #1[\s\S]*prompt: {2}first job/);
    expect((await framepack('jobs', 'show', 'last')).stdout).toContain('prompt:  second job');
    const ambiguous = await framepack('jobs', 'show', commonPrefix(a.jobId, b.jobId));
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/is ambiguous: it matches 2 jobs: .*type more of the id/);
    expect(await framepack('cancel', 'nosuchjob')).toMatchObject({ code: 1, stderr: "framepack: no job 'nosuchjob' (see framepack jobs)\n" });

    expect(await framepack('cancel', 'last')).toMatchObject({ code: 0, stdout: `${b.jobId} cancelled\n` });
    const again = await framepack('cancel', b.jobId.slice(0, -1));
    expect(again).toMatchObject({ code: 1, stdout: '', stderr: `framepack: job ${b.jobId} already cancelled; nothing to cancel\n` });

    expect((await framepack('resume')).code).toBe(0);
    expect((await framepack('jobs', 'show', a.jobId, '--follow')).code).toBe(0);
    // A finished job shows no stale stage.
    expect((await framepack('jobs', 'show', a.jobId)).stdout).not.toMatch(/^stage:/m);
    const finished = await framepack('cancel', a.jobId);
    expect(finished).toMatchObject({ code: 1, stderr: `framepack: job ${a.jobId} already succeeded; nothing to cancel\n` });
    const opened = await framepack('open', '--print', a.jobId.slice(0, -2));
    expect(opened.stdout).toMatch(/\.mp4\n$/);
  });

  it('piped `generate`: a line per section and per stage with readable names and the ETA, none per step; --json keeps every event', { timeout: 60_000 }, async () => {
    const args = ['generate', '--image', h.image, '--prompt', 'a ball', '--seconds', '3', '--steps', '6', '--window', '3'];
    const piped = await h.framepack(args, { ...fake, NO_COLOR: '1' });
    expect(piped.code).toBe(0);
    const lines = piped.stderr.trimEnd().split('\n');
    expect(lines.filter((l) => /step \d+\/\d+/.test(l))).toEqual([]);
    const sections = lines.filter((l) => / done: /.test(l)).length;
    expect(sections).toBeGreaterThanOrEqual(3);
    // Per section: started, sampling, decoding, (appending from the 2nd on), encoding, done.
    expect(lines.filter((l) => /^section \d+\/\d+ · decoding frames/.test(l))).toHaveLength(sections);
    expect(lines.filter((l) => /^section \d+\/\d+ · appending frames/.test(l))).toHaveLength(sections - 1);
    expect(lines.filter((l) => /^section \d+\/\d+ · encoding video/.test(l))).toHaveLength(sections);
    // Once a section is measured, every stage line carries the job's ETA.
    expect(lines.filter((l) => /^section [2-9]\/\d+ · /.test(l)).every((l) => /ETA \d+:\d\d$/.test(l))).toBe(true);
    expect(lines.length).toBeLessThanOrEqual(6 * sections + 7);
    expect(piped.stderr).not.toContain('\x1b');

    const json = await framepack(...args, '--json');
    const events = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; stage?: string; etaSeconds?: number });
    expect(events.filter((e) => e.type === 'step')).toHaveLength(6 * sections);
    expect(events.filter((e) => e.type === 'stage' && e.stage === 'append')).toHaveLength(sections - 1);
    expect(events.filter((e) => e.type === 'section.done').slice(0, -1).every((e) => typeof e.etaSeconds === 'number')).toBe(true);
  });

  it('`jobs` with the daemon down shows the journal, saying so', { timeout: 30_000 }, async () => {
    expect((await framepack('daemon', 'stop')).code).toBe(0);
    const b = secondJobId;
    const r = await framepack('jobs');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^the daemon is not running: the journal's view \(.*journal\.jsonl\)/);
    expect(r.stdout).toMatch(/succeeded .*first job/);
    expect(r.stdout).toMatch(/cancelled .*second job/);
    const json = JSON.parse((await framepack('jobs', '--json', '--state', 'succeeded')).stdout);
    expect(json.source).toBe('journal');
    expect(json.jobs.map((j: { spec: { prompt: string } }) => j.spec.prompt)).toEqual(['first job', 'a ball', 'a ball']);
    expect((await framepack('jobs', 'show', b.slice(0, -1))).stdout).toContain('second job');
    // open needs no daemon for a finished video: the journal knows its path.
    expect(await framepack('open', '--print', 'last')).toMatchObject({ code: 0, stdout: expect.stringMatching(/\.mp4\n$/) });
  });
});
