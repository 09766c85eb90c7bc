// ensureDaemon (shared/ipc/ensure-daemon.ts) against the real daemon: several clients racing to
// auto-start it end up on one daemon (the daemon's start lock decides), a missing daemon without
// a spawn command is "not running", and the detached daemon's output lands in the log file.
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { daemonCommand } from '../../daemon/cli/daemon-client.js';
import { ensureDaemon, isNotRunning } from '../../shared/ipc/ensure-daemon.js';
import { daemonEnv, killDaemonsUnder, tempBase } from '../helpers/daemon-harness.js';

const base = tempBase();
const env = daemonEnv(base);
const socketFile = path.join(env.FRAMEPACK_RUNTIME_DIR!, 'fp.sock');
const logFile = path.join(env.FRAMEPACK_DATA_DIR!, 'daemon.log');

afterAll(async () => {
  // Racers that lost may still be starting; one of them would take over once the winner dies.
  for (let i = 0; i < 20 && killDaemonsUnder(base) > 0; i++) await new Promise((r) => setTimeout(r, 100));
  rmSync(base, { recursive: true, force: true });
});

describe('ensureDaemon', () => {
  it('says "not running" when it may not start one', async () => {
    const err = await ensureDaemon({ socketFile, client: { name: 't' } }).catch((e: unknown) => e);
    expect(isNotRunning(err)).toBe(true);
    expect(String(err)).toContain('framepack daemon start');
  });

  it('lets racing clients auto-start exactly one daemon', async () => {
    const results = await Promise.all([1, 2, 3].map(() => ensureDaemon({ socketFile, client: { name: 'racer' }, spawn: daemonCommand([], env), logFile })));
    const pids = new Set(results.map((r) => r.client.hello!.pid));
    expect(pids.size).toBe(1);
    const reg = JSON.parse(readFileSync(path.join(env.FRAMEPACK_RUNTIME_DIR!, 'daemon.json'), 'utf8'));
    expect(pids.has(reg.pid)).toBe(true);
    const again = await ensureDaemon({ socketFile, client: { name: 'late' }, spawn: daemonCommand([], env), logFile });
    expect(again).toMatchObject({ started: false });
    expect(again.client.hello!.pid).toBe(reg.pid);
    expect(readFileSync(logFile, 'utf8')).toContain('"msg":"ready"');
    for (const r of [...results, again]) r.client.close();
  });
});
