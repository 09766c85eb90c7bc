import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EventMessage } from '../../shared/protocol/index.js';
import { JobSpec } from '../../shared/protocol/index.js';
import { resolveJobSpec } from '../engine/pipeline/job-spec.js';
import { RpcError } from '../../shared/protocol/index.js';
import type { RpcClient } from '../../shared/ipc/rpc-client.js';
import { cliEvent, daemonOutPath, follow, protocolSpec, type MapState } from './daemon-generate.js';

const manifestLike = { variant: 'inverted' as const, defaults: { steps: 25, gs: 10, cfg: 1, rs: 0, windowSize: 9, shift: null, teacache: { enabled: true, threshold: 0.15 } } };
const spec = resolveJobSpec({ imagePath: 'in/start.png', prompt: 'p', steps: 3, teacacheThreshold: 0.2, shift: 3 }, manifestLike as never, 'framepack-tiny');
const ev = (event: string, payload: Record<string, unknown>) => ({ event, seq: 1, payload: { jobId: 'j1', ...payload } }) as unknown as EventMessage;

describe('generate through the daemon: mapping', () => {
  it('turns the CLI spec into a valid protocol JobSpec with absolute paths', () => {
    const p = protocolSpec(spec, { model: 'framepack-tiny', out: 'o/clip.mp4', partials: false });
    expect(p).toMatchObject({ image: path.resolve('in/start.png'), out: path.resolve('o/clip.mp4'), steps: 3, window: 9, shift: 3, teacacheThreshold: 0.2, partials: false, model: 'framepack-tiny' });
    expect(JobSpec.safeParse(p).success).toBe(true);
    expect(protocolSpec(spec, { model: undefined, out: undefined, partials: true })).not.toHaveProperty('out');
    // --overwrite travels as overwrite: true; without it the field is left out (the daemon refuses foreign files).
    expect(protocolSpec(spec, { model: undefined, out: 'o/clip.mp4', partials: true, overwrite: true })).toMatchObject({ overwrite: true });
    expect(protocolSpec(spec, { model: undefined, out: 'o/clip.mp4', partials: true })).not.toHaveProperty('overwrite');
    expect(() => protocolSpec(spec, { model: './bundles/mine', out: undefined, partials: true })).toThrow('use --local for a bundle folder');
    expect(daemonOutPath('videos', 7, new Date('2026-01-02T03:04:05Z'))).toBe(path.resolve('videos', '20260102_030405_seed7.mp4'));
  });

  it("maps daemon events onto local mode's NDJSON shapes; a cancel ends as job.failed", () => {
    const st: MapState = { sections: 0, frames: 0, seconds: 0 };
    expect(cliEvent(ev('section.started', { index: 0, displayIndex: 1, total: 2 }), st)).toEqual({ type: 'section.started', section: 1, sections: 2, displayIndex: 1 });
    expect(cliEvent(ev('step', { section: 0, step: 2, steps: 3, secPerStep: 0.5, etaSectionMs: 500, etaJobMs: 2000 }), st))
      .toEqual({ type: 'step', section: 1, sections: 2, step: 2, steps: 3, secondsPerStep: 0.5, etaSeconds: 2, teacacheSkipped: false });
    expect(cliEvent(ev('preview', { section: 0, path: '/j/preview.png', frames: 1 }), st)).toEqual({ type: 'preview', section: 1, path: '/j/preview.png' });
    expect(cliEvent(ev('preview', { section: 0, path: '/j/frame.png', frames: 33, kind: 'frame' }), st)).toEqual({ type: 'frame', section: 1, path: '/j/frame.png' });
    expect(cliEvent(ev('section.done', { index: 1, displayIndex: 0, total: 2, partialPath: '/p.mp4', frames: 73, seconds: 2.43 }), st)).toMatchObject({ type: 'section.done', section: 2, partialVideo: '/p.mp4', frames: 73 });
    const timing = { totalMs: 4000, queuedMs: 0, loadMs: 0, encodeMs: 0, decodeMs: 0, muxMs: 0, sectionSampleMs: [], peakVramBytes: null, peakRamBytes: 1 };
    expect(cliEvent(ev('job.succeeded', { outputPath: '/v/clip.mp4', timing }), st)).toEqual({ type: 'job.succeeded', jobId: 'j1', output: '/v/clip.mp4', sidecar: '/v/clip.json', frames: 73, seconds: 2.43, wallSeconds: 4 });
    expect(cliEvent(ev('job.failed', { error: { code: 'INTERNAL', message: 'boom' }, partialPath: null, timing: null }), st)).toMatchObject({ type: 'job.failed', error: 'boom', code: 'INTERNAL' });
    expect(cliEvent(ev('job.cancelled', { when: 'now', partialPath: '/p.mp4', timing: null }), st)).toMatchObject({ type: 'job.failed', error: 'cancelled', cancelled: true, partialVideo: '/p.mp4' });
    expect(cliEvent(ev('log', { level: 'info' }), st)).toBeNull();
  });

  it('--json still ends with job.failed when the daemon refuses the job', async () => {
    const stub = {
      subscribe: async () => ({ close: async () => {} }),
      call: async () => { throw new RpcError('INVALID_PARAMS', 'image: not a readable image'); },
      onStateChange: () => () => {},
    } as unknown as RpcClient;
    let stdout = '';
    const sink = { write: (t: string) => ((stdout += t), true) } as unknown as NodeJS.WritableStream;
    const o = { spec, model: undefined, out: undefined, partials: true, detach: false, json: true, stdout: sink, stderr: sink, progress: null };
    await expect(follow(stub, protocolSpec(spec, o), o)).rejects.toThrow('not a readable image');
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ type: 'job.failed', jobId: null, error: 'image: not a readable image', code: 'INVALID_PARAMS' });
  });
});
