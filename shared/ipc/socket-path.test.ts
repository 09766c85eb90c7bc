import { mkdtempSync, rmSync, statSync, chmodSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assertSocketPathLength, ensureRuntimeDir, runtimeDir, socketName, socketPath } from './socket-path.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('socket path', () => {
  it('prefers FRAMEPACK_RUNTIME_DIR, then XDG_RUNTIME_DIR/framepack, then <tmp>/framepack-<uid>', () => {
    expect(runtimeDir({ env: { FRAMEPACK_RUNTIME_DIR: '/r/fp', XDG_RUNTIME_DIR: '/run/user/1000' } })).toBe('/r/fp');
    expect(runtimeDir({ env: { XDG_RUNTIME_DIR: '/run/user/1000' } })).toBe('/run/user/1000/framepack');
    expect(runtimeDir({ env: {}, uid: 1234, tmpdir: '/tmp' })).toBe('/tmp/framepack-1234');
  });

  it('uses a short name, hashed per instance', () => {
    expect(socketName()).toBe('fp.sock');
    expect(socketName('/data/a')).toMatch(/^fp-[0-9a-f]{8}\.sock$/);
    expect(socketName('/data/a')).not.toBe(socketName('/data/b'));
    expect(socketPath({ env: { XDG_RUNTIME_DIR: '/run/user/1000' }, platform: 'linux' })).toBe('/run/user/1000/framepack/fp.sock');
  });

  it('refuses a path too long for sun_path with a fix-it message', () => {
    const long = `/${'d'.repeat(100)}/fp.sock`;
    expect(() => assertSocketPathLength(long, 'linux')).toThrow(/is 109 bytes; linux allows at most 107\. Set FRAMEPACK_RUNTIME_DIR/);
    expect(() => assertSocketPathLength(`/${'d'.repeat(98)}/fp.sock`, 'linux')).not.toThrow();
    expect(() => assertSocketPathLength(`/${'d'.repeat(98)}/fp.sock`, 'darwin')).toThrow(/darwin allows at most 103/);
    expect(() => socketPath({ env: { FRAMEPACK_RUNTIME_DIR: long }, platform: 'linux' })).toThrow(/FRAMEPACK_RUNTIME_DIR/);
  });

  it('creates the runtime dir 0700 and tightens a looser one of ours', () => {
    const base = mkdtempSync(path.join(os.tmpdir(), 'fp-sp-'));
    dirs.push(base);
    const dir = ensureRuntimeDir(path.join(base, 'rt'));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const loose = path.join(base, 'loose');
    mkdirSync(loose);
    chmodSync(loose, 0o755);
    ensureRuntimeDir(loose);
    expect(statSync(loose).mode & 0o777).toBe(0o700);
  });
});
