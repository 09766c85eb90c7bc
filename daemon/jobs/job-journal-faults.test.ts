// The journal under faults (issue 15 items 1, 6, 12): a write cut short by ENOSPC (through the fs
// seam), damaged files kept aside, old-format journals, private modes.
import { fdatasyncSync, lstatSync, symlinkSync, ftruncateSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../../shared/protocol/index.js';
import { JobJournal, type JournalFs } from './job-journal.js';

const job = (id: string, state: Job['state']): Job => ({
  id, state, position: null, createdAt: '2026-01-01T00:00:00.000Z', startedAt: null, finishedAt: null, progress: null,
  cancelRequested: null, outputPath: null, partialPath: null, error: null, timing: null,
  spec: { image: '/i.png', prompt: 'p', negativePrompt: '', seconds: 1, seed: 1, steps: 1, gs: 10, cfg: 1, rs: 0, window: 9, sampler: 'unipc', mode: 'inverted', teacache: true, crf: 16, partials: true, front: false },
});

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fpjf-'));
  dirs.push(dir);
  return dir;
}

/** A disk that fills up: once `full` is set, a write stores `allowBytes` bytes and then fails ENOSPC. */
function fillingDisk(allowBytes = 7) {
  const state = { full: false, allowBytes, truncateFails: false };
  const fs: JournalFs = {
    writeSync(fd, buffer, offset, length) {
      if (!state.full) return writeSync(fd, buffer, offset, length);
      if (state.allowBytes > 0) {
        const n = writeSync(fd, buffer, offset, Math.min(length, state.allowBytes));
        state.allowBytes -= n;
        return n;
      }
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 });
    },
    fdatasyncSync,
    ftruncateSync(fd, length) {
      if (state.truncateFails) throw Object.assign(new Error('EIO'), { code: 'EIO' });
      ftruncateSync(fd, length);
    },
  };
  return { state, fs };
}

describe('JobJournal under a full disk (ENOSPC through the fs seam)', () => {
  it('a failed commit says disk full and where, leaves no torn bytes, and later records survive a reopen', () => {
    const dir = tempDir();
    const disk = fillingDisk();
    const j = new JobJournal(dir, { fs: disk.fs });
    j.open();
    j.commit({ t: 'job', job: job('a', 'queued'), queued: ['a'] });
    const before = readFileSync(j.file, 'utf8');
    disk.state.full = true;
    expect(() => j.commit({ t: 'job', job: job('b', 'queued'), queued: ['a', 'b'] })).toThrow(new RegExp(`^disk full: could not write the job journal ${j.file} \\(\\d+ bytes needed`));
    expect(readFileSync(j.file, 'utf8')).toBe(before); // the 7 bytes that made it were cut off again
    disk.state.full = false;
    j.commit({ t: 'job', job: job('c', 'queued'), queued: ['a', 'c'] });
    j.close();
    const r = new JobJournal(dir).open();
    expect([...r.jobs.keys()].sort()).toEqual(['a', 'c']);
    expect(r.queued).toEqual(['a', 'c']);
    expect(r.skippedLines).toBe(0);
    expect(r.damage).toBeNull();
  });

  it('append keeps a record whose write failed and writes it before the next one (a finished job is not lost)', () => {
    const dir = tempDir();
    const disk = fillingDisk();
    const j = new JobJournal(dir, { fs: disk.fs });
    j.open();
    j.commit({ t: 'job', job: job('a', 'queued'), queued: ['a'] });
    disk.state.full = true;
    expect(j.append({ t: 'job', job: job('a', 'running'), queued: [] })).toBe(false);
    expect(j.append({ t: 'job', job: job('a', 'succeeded') })).toBe(false);
    disk.state.full = false;
    // A client request while records are pending writes them first, in order.
    j.commit({ t: 'job', job: job('b', 'queued'), queued: ['b'] });
    j.close();
    const r = new JobJournal(dir).open();
    expect(r.jobs.get('a')!.state).toBe('succeeded');
    expect(r.queued).toEqual(['b']);
    expect(r.skippedLines).toBe(0);
  });

  it('when even the cut-back fails, the next write repairs the tail first', () => {
    const dir = tempDir();
    const disk = fillingDisk();
    const j = new JobJournal(dir, { fs: disk.fs });
    j.open();
    disk.state.full = true;
    disk.state.truncateFails = true;
    expect(() => j.commit({ t: 'job', job: job('a', 'queued'), queued: ['a'] })).toThrow(/disk full/);
    expect(readFileSync(j.file, 'utf8')).not.toMatch(/\n$/); // torn bytes left behind for now
    disk.state.full = false;
    disk.state.truncateFails = false;
    j.commit({ t: 'job', job: job('b', 'queued'), queued: ['b'] });
    j.close();
    const r = new JobJournal(dir).open();
    expect([...r.jobs.keys()]).toEqual(['b']);
    expect(r.damage).toBeNull();
  });
});

describe('JobJournal with a damaged file', () => {
  function seeded(dir: string): string {
    const j = new JobJournal(dir);
    j.open();
    for (const id of ['a', 'b', 'c']) j.commit({ t: 'job', job: job(id, 'queued'), queued: ['a', 'b', 'c'].slice(0, ['a', 'b', 'c'].indexOf(id) + 1) });
    j.close();
    return j.file;
  }
  const asideFiles = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('journal.jsonl.damaged-'));

  it('cut to 100 bytes: keeps the original aside byte for byte and warns naming it', () => {
    const dir = tempDir();
    const file = seeded(dir);
    const cut = readFileSync(file).subarray(0, 100);
    writeFileSync(file, cut);
    const r = new JobJournal(dir).open();
    expect(r.jobs.size).toBe(0);
    expect(r.damage!.message).toContain(`the job journal ${file} has 1 unreadable line(s)`);
    expect(r.damage!.message).toContain(`kept as ${r.damage!.keptAs}`);
    expect(readFileSync(r.damage!.keptAs)).toEqual(cut);
    expect(asideFiles(dir)).toHaveLength(1);
    // A second start finds a clean journal and leaves the kept file alone.
    expect(new JobJournal(dir).open().damage).toBeNull();
    expect(readFileSync(r.damage!.keptAs)).toEqual(cut);
  });

  it('random bytes and a `null` line in the middle: every readable job is kept', () => {
    const dir = tempDir();
    const file = seeded(dir);
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.splice(1, 0, 'null', Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x7b]).toString('latin1'));
    writeFileSync(file, lines.join('\n'));
    const r = new JobJournal(dir).open();
    expect([...r.jobs.keys()].sort()).toEqual(['a', 'b', 'c']);
    expect(r.queued).toEqual(['a', 'b', 'c']);
    expect(r.damage!.message).toMatch(/has 2 unreadable line\(s\) \(line 2, 3\)/);
  });

  it('a directory in its place is moved aside with its contents and the daemon starts empty', () => {
    const dir = tempDir();
    const file = path.join(dir, 'journal.jsonl');
    mkdirSync(file);
    writeFileSync(path.join(file, 'keep.txt'), 'x');
    const r = new JobJournal(dir).open();
    expect(r.jobs.size).toBe(0);
    expect(r.damage!.message).toContain('is not a regular file');
    expect(readFileSync(path.join(r.damage!.keptAs, 'keep.txt'), 'utf8')).toBe('x');
    expect(statSync(file).isFile()).toBe(true);
  });

  it('a symlink loop in its place is moved aside too', () => {
    const dir = tempDir();
    const file = path.join(dir, 'journal.jsonl');
    symlinkSync(file, file);
    const r = new JobJournal(dir).open();
    expect(r.damage!.message).toContain('is not a regular file');
    expect(lstatSync(r.damage!.keptAs).isSymbolicLink()).toBe(true);
  });

  it('a damaged journal with no room for the compacted one stays where it is (no job is hidden in a kept-aside file)', () => {
    const dir = tempDir();
    const file = seeded(dir);
    writeFileSync(file, `${readFileSync(file, 'utf8')}null\n`);
    const before = readFileSync(file);
    const disk = fillingDisk(0);
    disk.state.full = true;
    expect(() => new JobJournal(dir, { fs: disk.fs }).open()).toThrow(/ENOSPC/);
    expect(readFileSync(file)).toEqual(before);
    expect(asideFiles(dir)).toEqual([]);
    // With space again: kept aside, every job there.
    const r = new JobJournal(dir).open();
    expect(r.jobs.size).toBe(3);
    expect(asideFiles(dir)).toHaveLength(1);
  });

  it('when it cannot write the compacted journal (disk full at start) it refuses to start, naming the file and the fix', () => {
    const dir = tempDir();
    const file = seeded(dir);
    const before = readFileSync(file);
    const disk = fillingDisk(0);
    disk.state.full = true;
    expect(() => new JobJournal(dir, { fs: disk.fs }).open()).toThrow(new RegExp(`^cannot use the job journal ${file} \\(ENOSPC.*free space on the disk holding ${dir}`));
    expect(readFileSync(file)).toEqual(before); // untouched, no temp file left
    expect(readdirSync(dir).sort()).toEqual(['jobs', 'journal.jsonl']);
  });
});

describe('JobJournal formats and modes', () => {
  it('replays a journal written by the previous (unframed JSON lines) code and rewrites it framed', () => {
    const dir = tempDir();
    const file = path.join(dir, 'journal.jsonl');
    writeFileSync(file, [
      { t: 'job', job: job('a', 'queued') }, { t: 'order', queued: ['a'] },
      { t: 'job', job: job('b', 'queued') }, { t: 'order', queued: ['b', 'a'] },
      { t: 'checkpoint', id: 'a', sectionsDone: 1 },
    ].map((r) => `${JSON.stringify(r)}\n`).join(''));
    const r = new JobJournal(dir).open();
    expect(r.queued).toEqual(['b', 'a']);
    expect(r.damage).toBeNull();
    expect(readFileSync(file, 'utf8').split('\n').filter(Boolean).every((l) => /^~[0-9a-f]{8} \{/.test(l))).toBe(true);
  });

  it('jobs journaled with a keepAlive the grammar now refuses (-5, 1e12 s, 1000h) replay as keepAlive -1', () => {
    const dir = tempDir();
    const withKeepAlive = (id: string, keepAlive: unknown) => ({ ...job(id, 'queued'), spec: { ...job(id, 'queued').spec, keepAlive } });
    writeFileSync(path.join(dir, 'journal.jsonl'), [
      { t: 'job', job: withKeepAlive('a', -5) }, { t: 'job', job: withKeepAlive('b', 1e12) }, { t: 'job', job: withKeepAlive('c', '1000h') },
      { t: 'job', job: withKeepAlive('d', '5m') }, { t: 'order', queued: ['a', 'b', 'c', 'd'] },
    ].map((r) => `${JSON.stringify(r)}\n`).join(''));
    const r = new JobJournal(dir).open();
    expect(r.damage).toBeNull();
    expect(r.queued).toEqual(['a', 'b', 'c', 'd']);
    expect(['a', 'b', 'c', 'd'].map((id) => r.jobs.get(id)!.spec.keepAlive)).toEqual([-1, -1, -1, '5m']);
  });

  it('jobs journaled before steps/gs/cfg were limited to 1–100/0–32/1–32 replay as they ran, not as damage', () => {
    const dir = tempDir();
    const withSpec = (id: string, state: Job['state'], extra: object) => ({ ...job(id, state), spec: { ...job(id, state).spec, ...extra } });
    writeFileSync(path.join(dir, 'journal.jsonl'), [
      { t: 'job', job: withSpec('a', 'succeeded', { steps: 250, gs: 99, cfg: 0 }) }, { t: 'job', job: withSpec('b', 'queued', { steps: 25 }) },
      { t: 'order', queued: ['b'] },
    ].map((r) => `${JSON.stringify(r)}\n`).join(''));
    const r = new JobJournal(dir).open();
    expect(r.damage).toBeNull();
    expect(r.skippedLines).toBe(0);
    expect(r.jobs.get('a')!.spec).toMatchObject({ steps: 250, gs: 99, cfg: 0 });
    expect(r.queued).toEqual(['b']);
  });

  it('the journal is 0600 and the jobs folders 0700 whatever the umask', () => {
    const dir = tempDir();
    const old = process.umask(0o022);
    try {
      const j = new JobJournal(dir);
      j.open();
      const img = path.join(dir, 'x.png');
      writeFileSync(img, 'png');
      j.adoptInput('a', img);
      j.close();
      expect(statSync(j.file).mode & 0o777).toBe(0o600);
      expect(statSync(j.jobsDir).mode & 0o777).toBe(0o700);
      expect(statSync(j.jobDir('a')).mode & 0o777).toBe(0o700);
    } finally {
      process.umask(old);
    }
  });
});
