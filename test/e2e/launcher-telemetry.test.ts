// The `framepack` launcher opts out of ONNX Runtime's usage telemetry, which otherwise leaves a
// `.ses` and a `mat-debug-<pid>.log` in the temp dir of every process that opens a session. The
// test removes ORT_DISABLE_TELEMETRY from the environment it passes (vitest sets it for the suite).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/daemon-harness.js';

const base = mkdtempSync(path.join(os.tmpdir(), 'fp-launcher-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('framepack launcher', () => {
  it('leaves no ONNX Runtime telemetry files in the temp dir after a local job', async () => {
    const tmp = path.join(base, 'tmp');
    mkdirSync(tmp);
    const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp, FRAMEPACK_DATA_DIR: path.join(base, 'data'), FRAMEPACK_RUNTIME_DIR: path.join(base, 'rt') };
    delete env.ORT_DISABLE_TELEMETRY;
    const out = path.join(base, 'x.mp4');
    await new Promise<void>((resolve, reject) => {
      execFile(process.execPath, [path.join(REPO_ROOT, 'bin', 'framepack.js'), 'generate', '--local', '--seconds', '1', '--steps', '2',
        '--image', path.join(REPO_ROOT, 'docs', 'examples', 'start.png'), '--prompt', 'x', '--out', out], { env, cwd: REPO_ROOT, timeout: 120_000 },
      (err, _stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve()));
    });
    const left = readdirSync(tmp).filter((n) => n === '.ses' || n.startsWith('mat-debug-'));
    expect(left).toEqual([]);
  }, 150_000);
});
