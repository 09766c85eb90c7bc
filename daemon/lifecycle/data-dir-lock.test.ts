import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../log.js';
import { DataDirInUseError, holderGone, lockDataDir } from './data-dir-lock.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fpdl-'));
  dirs.push(dir);
  return dir;
}

describe('data dir lock', () => {
  it('holds the lock (0600, pid and socket), refuses a live holder by name, releases only its own', () => {
    const dir = tempDir();
    const lock = lockDataDir(dir, '/run/a/fp.sock', silentLogger);
    expect(JSON.parse(readFileSync(lock.file, 'utf8'))).toMatchObject({ pid: process.pid, socketPath: '/run/a/fp.sock' });
    expect(statSync(lock.file).mode & 0o777).toBe(0o600);
    // Another daemon took the lock over meanwhile (ours was judged stale): release leaves it alone.
    const holder = { pid: process.ppid, socketPath: '/run/b/fp.sock', startedAt: '2026-01-01T00:00:00.000Z' };
    writeFileSync(lock.file, JSON.stringify(holder));
    lock.release(); // not ours any more: left alone
    expect(JSON.parse(readFileSync(lock.file, 'utf8'))).toEqual(holder);
    rmSync(lock.file);
    const again = lockDataDir(dir, '/run/a/fp.sock', silentLogger);
    again.release();
    expect(() => readFileSync(again.file)).toThrow();
  });

  it('takes over a lock whose pid is dead, unreadable or this very process', () => {
    const dir = tempDir();
    const file = path.join(dir, 'daemon.lock');
    for (const stale of ['{"pid":2147483646,"socketPath":"/s","startedAt":"x"}', 'garbage', JSON.stringify({ pid: process.pid, socketPath: '/s' })]) {
      writeFileSync(file, stale);
      const lock = lockDataDir(dir, '/run/a/fp.sock', silentLogger);
      expect(JSON.parse(readFileSync(file, 'utf8')).socketPath).toBe('/run/a/fp.sock');
      lock.release();
    }
  });

  it('holderGone: no readable holder, a dead pid, or this process', () => {
    expect(holderGone(null)).toBe(true);
    expect(holderGone({ pid: 2147483646, socketPath: '/s', startedAt: 'x' })).toBe(true);
    expect(holderGone({ pid: 123, socketPath: '/s', startedAt: 'x' }, 123)).toBe(true);
  });

  it('holderGone: a live pid that is no framepack daemon (a reused pid) is gone too', async () => {
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      expect(holderGone({ pid: other.pid!, socketPath: '/s', startedAt: 'x' })).toBe(true);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('DataDirInUseError names the holder, its socket and the ways out', () => {
    const err = new DataDirInUseError('/d', { pid: 42, socketPath: '/run/x/fp.sock', startedAt: 't' }, '/d/daemon.lock');
    expect(err.message).toBe('the data dir /d is in use by another framepack daemon (pid 42, socket /run/x/fp.sock, since t); stop it (FRAMEPACK_RUNTIME_DIR=/run/x framepack daemon stop) or give this daemon another FRAMEPACK_DATA_DIR. If no framepack daemon has pid 42, delete /d/daemon.lock');
  });
});
