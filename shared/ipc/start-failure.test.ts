import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStartFailureNote, startFailureMessage, startFailureNotePath, startFailureReason } from './start-failure.js';

describe('startFailureReason', () => {
  it("prefers the daemon's own last `framepack daemon:` line", () => {
    const log = [
      '{"time":"t","level":"info","scope":"lifecycle","msg":"starting"}',
      '{"time":"t","level":"error","scope":"lifecycle","msg":"could not lock the data dir","error":"x"}',
      'framepack daemon: the data dir /d is in use by another framepack daemon (pid 7, socket /s)',
      'Error: stack line', '    at foo (file.ts:1:1)',
    ].join('\n');
    expect(startFailureReason(log)).toBe('the data dir /d is in use by another framepack daemon (pid 7, socket /s)');
  });

  it('else the last error record, else the thrown error of a Node stack, else the last lines', () => {
    expect(startFailureReason('{"level":"info","msg":"a"}\n{"level":"error","msg":"could not start","error":"boom\\n at x"}\n')).toBe('could not start: boom');
    expect(startFailureReason('file:///x.ts:3\n  throw e;\n  ^\n\nTypeError: Cannot read properties of null (reading \'t\')\n    at replay (x.ts:50:7)\n\nNode.js v22\n')).toBe("TypeError: Cannot read properties of null (reading 't')");
    expect(startFailureReason('one\ntwo\nthree\nfour\n')).toBe('two | three | four');
    expect(startFailureReason('')).toBeNull();
  });

  it('words the exit', () => {
    expect(startFailureMessage({ code: 1, signal: null }, 'bad', '/l/daemon.log')).toBe('the daemon exited with code 1 while starting: bad (log: /l/daemon.log)');
    expect(startFailureMessage({ code: null, signal: 'SIGKILL' }, null)).toBe('the daemon was killed by SIGKILL while starting: it wrote no reason');
  });
});

describe('start failure note', () => {
  it("is read only when written by this start (not an earlier one's)", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fpsf-'));
    try {
      const socket = path.join(dir, 'fp.sock');
      expect(readStartFailureNote(socket, Date.now())).toBeNull();
      writeFileSync(startFailureNotePath(socket), 'disk full: cannot write x\n');
      expect(readStartFailureNote(socket, Date.now())).toBe('disk full: cannot write x');
      const old = new Date(Date.now() - 60_000);
      utimesSync(startFailureNotePath(socket), old, old);
      expect(readStartFailureNote(socket, Date.now())).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
