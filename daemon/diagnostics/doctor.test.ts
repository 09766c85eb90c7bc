// runDoctor end to end: on this machine (CPU mode) and with a faked Turing GPU, JSON-serialisable;
// and the reference generation, recorded into a temporary checksum file and then matched.
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeFakeNvidiaSmi } from '../telemetry/fake-nvidia-smi.js';
import { formatReport, runDoctor } from './doctor.js';
import { checkReferenceGeneration, judgeReference, readReferenceFile, referenceImageRgb, referenceKey, REFERENCE_FILE, type ReferenceRun } from './reference-run.js';
import { fileTempDir } from '../../test/helpers/temp-dir.js';

const tmp = fileTempDir('fp-doctor-');

describe('framepack doctor', () => {
  it('CPU machine: every group reported, nothing failing, provider cpu; JSON round-trips', async () => {
    const seen: string[] = [];
    const r = await runDoctor({ skipGeneration: true, env: { ...process.env, PATH: `/usr/bin${path.delimiter}/bin`, FRAMEPACK_RUNTIME_DIR: path.join(tmp, 'rt') }, onCheck: (c) => seen.push(c.id) });
    const ids = r.checks.map((c) => c.id);
    expect(seen).toEqual(ids);
    for (const id of ['node.version', 'ort.version', 'ort.ep.cpu', 'ort.ep.cuda', 'ort.ep.tensorrt', 'ort.ep.webgpu', 'ort.provider', 'gpu', 'memory', 'disk.data', 'disk.output', 'ffmpeg', 'socket.dir', 'bundle.framepack-tiny']) {
      expect(ids).toContain(id);
    }
    expect(r.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(r.provider).toBe('cpu');
    expect(r.checks.filter((c) => c.status !== 'ok').every((c) => c.fix.length > 0)).toBe(true);
    expect(JSON.parse(JSON.stringify(r)).checks).toHaveLength(r.checks.length);
    expect(formatReport(r)).toMatch(/generation runs on cpu\n$/);
  });

  it('faked Turing GPU without the CUDA provider: bf16 and provider warnings with fixes', async () => {
    const dir = path.join(tmp, 'smi');
    await writeFakeNvidiaSmi(dir, 'turing');
    const env = { ...process.env, PATH: `${dir}${path.delimiter}/usr/bin${path.delimiter}/bin` };
    const r = await runDoctor({ skipGeneration: true, env, nvidiaSmi: { env }, probe: { tryProvider: async () => ({ usable: true, error: null, ms: 1 }) } });
    const byId = Object.fromEntries(r.checks.map((c) => [c.id, c]));
    expect(byId['gpu.0']).toMatchObject({ status: 'warn', finding: expect.stringMatching(/^Tesla T4, driver 535\.104\.05, CUDA 12\.2, compute 7\.5 \(no bf16\)/) });
    expect(byId['ort.ep.cuda']).toMatchObject({ status: 'warn', fix: expect.stringMatching(/framepack setup gpu/) });
    expect(byId['ort.provider']!.status).toBe('warn');
    expect(r.status).toBe('warn');
  });

  it('reference generation: records a checksum for this platform, then a second run matches it', async () => {
    const file = path.join(tmp, 'reference-checksums.json');
    const recorded = await checkReferenceGeneration({ file, record: true });
    expect(recorded.status).toBe('ok');
    const ref = await readReferenceFile(file);
    expect(Object.keys(ref!.entries)).toEqual([referenceKey()]);
    expect(ref!.entries[referenceKey()]!.frames).toBe(37);
    const again = await checkReferenceGeneration({ file });
    expect(again).toMatchObject({ status: 'ok', finding: expect.stringMatching(/matches the reference for linux-x64-ort/) });
    const run = again.details as unknown as ReferenceRun;
    expect(run.sectionSeconds).toHaveLength(1);
    expect(Object.keys(run.stageSeconds)).toEqual(expect.arrayContaining(['loading-models', 'sampling', 'writing-video']));
    // The committed reference for this platform is informational here: another CPU instruction set
    // may legitimately change the last bits (docs/doctor.md), so a difference is printed, not failed.
    const committed = (await readReferenceFile(REFERENCE_FILE))?.entries[referenceKey()];
    if (committed && committed.previewSha256 !== run.previewSha256) console.warn(`reference checksum differs from ${REFERENCE_FILE} on this machine (${run.previewSha256})`);
  });

  it('judges missing, stale and different references as warnings with fixes', () => {
    const run: ReferenceRun = { bundle: 'b', manifestSha256: 'm', previewSha256: 'p'.repeat(64), frames: 37, provider: 'cpu', totalSeconds: 1, stageSeconds: {}, sectionSeconds: [0.5], secondsPerStep: 0.1 };
    const file = (e: Partial<ReferenceRun>) => ({ formatVersion: 1 as const, job: {} as never, entries: { k: { bundle: 'b', manifestSha256: 'm', previewSha256: 'p'.repeat(64), frames: 37, recordedAt: '', ...e } } });
    expect(judgeReference(run, null, 'k')).toMatchObject({ status: 'warn', fix: expect.stringMatching(/--record-reference/) });
    expect(judgeReference(run, file({ manifestSha256: 'other' }), 'k').finding).toMatch(/another build/);
    expect(judgeReference(run, file({ previewSha256: 'q'.repeat(64) }), 'k').finding).toMatch(/differs from the reference/);
    expect(judgeReference(run, file({}), 'k').status).toBe('ok');
    expect(referenceImageRgb()).toHaveLength(160 * 120 * 3);
  });

  it('the committed reference file is well-formed', async () => {
    const text = await readFile(REFERENCE_FILE, 'utf8');
    const ref = JSON.parse(text) as { formatVersion: number; entries: Record<string, { previewSha256: string }> };
    expect(ref.formatVersion).toBe(1);
    for (const e of Object.values(ref.entries)) expect(e.previewSha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
