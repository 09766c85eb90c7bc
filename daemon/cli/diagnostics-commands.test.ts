// The doctor, models and setup commands in-process, with captured output and exit codes.
import { describe, expect, it } from 'vitest';

import os from 'node:os';
import path from 'node:path';
import { componentDefinitions } from '../models/bundle/definitions.js';
import { writeTinyOfficialCheckpoints } from '../models/manage/tiny-official.js';
import { runDoctorCommand } from './doctor-command.js';
import { runModelsCommand } from './models-command.js';
import { runSetupCommand } from './setup-command.js';
import { UsageError } from './errors.js';
import { fileTempDir } from '../../test/helpers/temp-dir.js';

const tmp = fileTempDir('fp-cli-diag-');
process.env.FRAMEPACK_MODELS_DIR = path.join(tmp, 'models');
process.env.FRAMEPACK_RUNTIME_DIR = path.join(tmp, 'rt');

function io() {
  const out: string[] = []; const err: string[] = [];
  const w = (into: string[]) => ({ write: (s: string) => { into.push(s); return true; } }) as unknown as NodeJS.WritableStream;
  return { io: { stdout: w(out), stderr: w(err) }, out: () => out.join(''), err: () => err.join('') };
}

describe('framepack doctor / models / setup commands', () => {
  it('doctor --quick --json prints one JSON report; text mode prints checks and a summary', async () => {
    const a = io();
    expect(await runDoctorCommand(['--quick', '--json'], a.io)).toBe(0);
    const report = JSON.parse(a.out());
    expect(report.provider).toBe('cpu');
    expect(report.checks.map((c: { id: string }) => c.id)).toContain('bundle.framepack-tiny');
    const b = io();
    expect(await runDoctorCommand(['--quick'], b.io)).toBe(0);
    expect(b.out()).toMatch(/^\[ok  \] node\.version: Node 22/);
    expect(b.out()).toMatch(/generation runs on cpu\n$/);
    await expect(runDoctorCommand(['--bogus'], io().io)).rejects.toThrow(UsageError);
    await expect(runDoctorCommand(['--quick', '--record-reference'], io().io)).rejects.toThrow(/drop --quick/);
  });

  it("doctor's disk.output checks the daemon's output dir (not ./outputs), or --out", async () => {
    const daemonOut = path.join(tmp, 'daemon-videos');
    const env = { ...process.env, FRAMEPACK_OUTPUT_DIR: daemonOut };
    const dirOf = async (args: string[]) => {
      const a = io();
      expect(await runDoctorCommand(['--quick', '--json', ...args], { ...a.io, env })).toBe(0);
      return (JSON.parse(a.out()).checks as { id: string; details?: { dir: string } }[]).find((c) => c.id === 'disk.output')?.details?.dir;
    };
    expect(await dirOf([])).toBe(daemonOut);
    expect(await dirOf(['--out', path.join(tmp, 'elsewhere')])).toBe(path.join(tmp, 'elsewhere'));
  });

  it('models import, ls, verify and rm', async () => {
    const src = path.join(tmp, 'official');
    await writeTinyOfficialCheckpoints(src, { definitions: componentDefinitions });
    const imp = io();
    // The full preset's buckets are fine for tiny graphs; only their sizes are recorded.
    expect(await runModelsCommand(['import', '--from', src, '--name', 'mine', '--dtype', 'fp16'], imp.io)).toBe(0);
    expect(imp.out()).toMatch(/^imported mine \(inverted, float16\) into /);
    expect(imp.err()).toMatch(/\[\d\/7\] transformer: check \d+ tensors/);
    const ls = io();
    expect(await runModelsCommand(['ls'], ls.io)).toBe(0);
    expect(ls.out()).toMatch(/^mine\s+[\d.]+ MB {2}inverted, float16/m);
    expect(ls.out()).toMatch(/^framepack-tiny .*\(default\)$/m);
    const v = io();
    expect(await runModelsCommand(['verify', '--full', 'mine', 'framepack-tiny'], v.io)).toBe(0);
    expect(v.out()).toMatch(/^ok {4}mine: 12 files \(12 hashed, 0 from cache\)$/m);
    const vj = io();
    expect(await runModelsCommand(['verify', '--json'], vj.io)).toBe(0);
    expect(JSON.parse(vj.out()).map((r: { name: string }) => r.name)).toEqual(['mine', 'framepack-tiny']);
    await expect(runModelsCommand(['verify', 'nope'], io().io)).rejects.toThrow(/not an installed bundle/);
    await expect(runModelsCommand(['import', '--from', path.join(tmp, 'models')], io().io)).rejects.toThrow(/missing parts of the official FramePack weights/);
    const dup = io();
    expect(await runModelsCommand(['import', '--from', src, '--name', 'mine'], dup.io)).toBe(1);
    expect(dup.err()).toMatch(/already exists/);
    await expect(runModelsCommand(['import', '--from', src, '--dtype', 'int3'], io().io)).rejects.toThrow(/--dtype must be fp32, fp16, int8 or int4/);
    await expect(runModelsCommand(['import', '--from', src, '--dtype', 'fp16', '--block-size', '32'], io().io)).rejects.toThrow(/--block-size applies to --dtype int8 or int4 only/);
    await expect(runModelsCommand(['import', '--from', src, '--dtype', 'fp32', '--compute', 'fp16'], io().io)).rejects.toThrow(/--compute applies to --dtype int8 or int4 only/);
    const rm = io();
    expect(await runModelsCommand(['rm', 'mine'], rm.io)).toBe(0);
    expect(rm.out()).toMatch(/^removed mine/);
    await expect(runModelsCommand(['rm', 'framepack-tiny'], io().io)).rejects.toThrow(/default bundle/);
    await expect(runModelsCommand(['pull', 'nope'], io().io)).rejects.toThrow(/unknown model 'nope'/);
    await expect(runModelsCommand(['frobnicate'], io().io)).rejects.toThrow(UsageError);
  });

  it('setup gpu offline: exit 1, says what failed and where the files go', async () => {
    process.env.GLOBAL_AGENT_HTTPS_PROXY = 'http://127.0.0.1:9';
    try {
      const s = io();
      const code = await runSetupCommand(['gpu'], s.io);
      if (process.platform === 'linux' && process.arch === 'x64') {
        expect(code).toBe(1);
        expect(s.out()).toMatch(/install script .* failed: /);
        expect(s.out()).toMatch(/microsoft\.ml\.onnxruntime\.gpu\.linux\.[\d.]+\.nupkg/);
        expect(s.out()).toMatch(/\[ok {2}\] ort\.ep\.cpu/);
      }
      await expect(runSetupCommand(['cpu'], io().io)).rejects.toThrow(/framepack setup gpu/);
    } finally {
      delete process.env.GLOBAL_AGENT_HTTPS_PROXY;
    }
  });
});
