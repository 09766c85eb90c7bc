// The standard-library Python example client against a real socket server: hello succeeds and an
// unknown method comes back as a typed NOT_FOUND error, proving the wire format works outside Node.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../shared/protocol/index.js';
import { startTestSocketServer, type TestSocketServer } from '../helpers/ipc-server.js';

const run = promisify(execFile);
const probe = path.resolve(import.meta.dirname, '../../scripts/examples/protocol_probe.py');
let srv: TestSocketServer;
beforeAll(async () => {
  srv = await startTestSocketServer();
});
afterAll(async () => srv.close());

describe('Python protocol probe', () => {
  it('says hello and gets NOT_FOUND for an unknown method', async () => {
    const { stdout } = await run('python3', [probe, srv.socketFile], { timeout: 15_000 });
    const [hello, unknown] = stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(hello).toEqual({
      type: 'res',
      data: { id: 1, ok: true, result: { protocolVersion: PROTOCOL_VERSION, daemonVersion: '0.1.0-test', pid: process.pid, instanceId: srv.server.instanceId, features: ['test'], maxFrameBytes: 1048576 } },
    });
    expect(unknown).toEqual({
      type: 'res',
      data: { id: 2, ok: false, error: { code: 'NOT_FOUND', message: "unknown method 'no.such.method'", retryable: false, detail: { method: 'no.such.method' } } },
    });
    // The probe closed its socket; the server notices within a few ms.
    for (let i = 0; i < 100 && srv.server.connections.length > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(srv.server.connections).toHaveLength(0);
  });
});
