// The whole workbench in-process (ink-testing-library) against a real RpcServer over memory
// transports with scripted handlers: palette (Ctrl+P, F1), new job → submit → live progress,
// cancel / re-run / copy, queue pause, models, open in player, quit, reconnect. Text only: no
// assertion depends on colours.
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTransportPair, type MemoryTransportEnd } from '../shared/ipc/memory-transport.js';
import { RpcClient } from '../shared/ipc/rpc-client.js';
import { RpcServer, type Handlers } from '../shared/ipc/rpc-server.js';
import { JobPlanResult, JobSpec, RpcError, type Job, type JobSpecInput } from '../shared/protocol/index.js';
import { job, memoryUserStore, models, runEvents, snapshot, timing } from '../test/helpers/tui-fixtures.js';
import { App } from './app.js';
import type { ServicesDeps } from './workbench/services-context.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

const KEY = { up: '\u001b[A', down: '\u001b[B', enter: '\r', esc: '\u001b', ctrlP: '\u0010', ctrlS: '\u0013', f1: '\u001bOP', tab: '\t' };

/** A jobs.plan answer: bucket 96×64, `seconds` → sections as the real planner (ws 9), measured 0.5 s/step. */
function fakePlan(p: { image: string; seconds?: number | undefined; steps?: number | undefined; mode?: string | undefined }): JobPlanResult {
  const n = Math.max(1, Math.round(((p.seconds ?? 5) * 30) / 36));
  const steps = p.steps ?? 25;
  const sections = Array.from({ length: n }, (_, g) => ({
    generationIndex: g, displayIndex: p.mode === 'inverted' || !p.mode ? n - 1 - g : g, latentPadding: n - 1 - g, isLast: g === n - 1,
    indices: { latent: [], clean: [], clean2x: [], clean4x: [] }, newLatentFrames: 9,
    tokens: { noisy: 216, clean: 48, clean2x: 24, clean4x: 24, imageSide: 312, imageEmbedding: 16 }, framesAfter: 36 * (g + 1) + 1,
  }));
  return JobPlanResult.parse({
    model: 'framepack-tiny', mode: p.mode ?? 'inverted', input: { width: 200, height: 120 }, bucket: { width: 96, height: 64 }, latent: { channels: 16, height: 8, width: 12 }, window: 9,
    sections, displayOrder: [...sections].sort((a, b) => a.displayIndex - b.displayIndex).map((s) => s.generationIndex),
    totalLatentFrames: 9 * n + 1, totalFrames: 36 * n + 1, fps: 30, durationSeconds: (36 * n + 1) / 30, sampler: 'unipc', steps, shift: 7, mu: Math.log(7), sigmas: [1, 0],
    estimate: { secPerStep: 0.5, measuredOn: 'job-0', sameWindow: true, sectionSeconds: 0.5 * steps, samplingSeconds: 0.5 * steps * n },
  });
}

function scriptedDaemon(initial: Job[] = [], features: string[] = []) {
  const jobs = new Map(initial.map((j) => [j.id, j]));
  const calls: { method: string; params: unknown }[] = [];
  let paused = false;
  let next = 1;
  let modelReads = 0;
  let server!: RpcServer;
  const queue = () => ({ paused, queued: [...jobs.values()].filter((j) => j.state === 'queued').length, running: [...jobs.values()].find((j) => j.state === 'running')?.id ?? null, limit: 64 });
  const record = <P,>(method: string, params: P) => calls.push({ method, params });
  const handlers: Handlers = {
    hello: () => ({ daemonVersion: '0.1.0-test', pid: 4242, features, maxFrameBytes: 1 << 20 }),
    'jobs.plan': (params) => {
      record('jobs.plan', params);
      if (params.image.includes('missing')) throw new RpcError('INVALID_PARAMS', `image: cannot read the image header of ${params.image}`);
      return fakePlan(params);
    },
    'daemon.doctor': (params) => {
      record('daemon.doctor', params);
      return {
        status: 'fail', quick: true, ranAt: '2026-11-28T03:00:00.000Z', durationMs: 900,
        provider: { name: 'cpu', reason: 'the CUDA provider is not usable (no GPU); running on the CPU', probes: [] },
        checks: [{ id: 'ffmpeg', status: 'fail', finding: params.refresh ? 'ffmpeg still missing' : 'ffmpeg not found', fix: 'install ffmpeg' }, { id: 'node.version', status: 'ok', finding: '22', fix: '' }],
      };
    },
    'jobs.submit': (spec) => {
      record('jobs.submit', spec);
      const id = `job-${next++}`;
      const j = job(id, { position: queue().queued }, spec as JobSpecInput);
      jobs.set(id, j);
      server.publish('job.queued', { jobId: id, position: j.position!, job: j });
      return { jobId: id, position: j.position! };
    },
    'jobs.list': () => ({ jobs: [...jobs.values()] }),
    'jobs.get': ({ jobId }) => ({ job: jobs.get(jobId)! }),
    'jobs.cancel': ({ jobId, when }) => {
      record('jobs.cancel', { jobId, when });
      const j = jobs.get(jobId);
      if (!j) throw new RpcError('NOT_FOUND', `no job ${jobId}`);
      const updated = { ...j, cancelRequested: when };
      jobs.set(jobId, updated);
      return { job: updated };
    },
    'jobs.move': ({ jobId, to }) => {
      record('jobs.move', { jobId, to });
      const order = [...jobs.values()].filter((j) => j.state === 'queued' && j.id !== jobId).sort((a, b) => a.position! - b.position!).map((j) => j.id);
      const at = to === 'front' ? 0 : to === 'back' ? order.length : Math.min(to, order.length);
      order.splice(at, 0, jobId);
      order.forEach((id, position) => jobs.set(id, { ...jobs.get(id)!, position }));
      server.publish('queue.reordered', { queued: order });
      return { job: jobs.get(jobId)!, position: at, queued: order };
    },
    // This fake serves no shared queue (daemon/cluster/); the real daemon's answer without one.
    'cluster.submit': () => { throw new RpcError('INVALID_PARAMS', 'no shared queue: pass queue'); },
    'cluster.jobs': () => { throw new RpcError('INVALID_PARAMS', 'no shared queue: pass queue'); },
    'cluster.cancel': () => { throw new RpcError('INVALID_PARAMS', 'no shared queue: pass queue'); },
    'jobs.remove': ({ jobId }) => {
      record('jobs.remove', { jobId });
      jobs.delete(jobId);
      const order = [...jobs.values()].filter((j) => j.state === 'queued').sort((a, b) => a.position! - b.position!).map((j) => j.id);
      order.forEach((id, position) => jobs.set(id, { ...jobs.get(id)!, position }));
      server.publish('job.removed', { jobId });
      server.publish('queue.reordered', { queued: order });
      return { removed: jobId, queued: order };
    },
    'queue.pause': () => {
      record('queue.pause', {});
      paused = true;
      server.publish('queue.changed', queue());
      return queue();
    },
    'queue.resume': () => {
      record('queue.resume', {});
      paused = false;
      server.publish('queue.changed', queue());
      return queue();
    },
    'models.list': () => {
      modelReads++;
      return { models: models() };
    },
    'models.load': (params) => {
      record('models.load', params);
      server.publish('model.loaded', { model: 'framepack-tiny', component: 'vae', device: 'cpu', vramBytes: 0, ramBytes: 300 * 1024 ** 2, loadMs: 5, expiresAt: null });
      return { model: models()[0]! };
    },
    'models.unload': (params) => {
      record('models.unload', params);
      return { models: models() };
    },
    ps: () => ({ components: [], memory: null }),
    'daemon.status': () => ({
      pid: 4242, daemonVersion: '0.1.0-test', protocolVersion: 1, instanceId: 'i', startedAt: '2026-11-28T03:00:00.000Z', uptimeMs: 65_000,
      socketPath: '/tmp/fp-test.sock', clients: [], queue: queue(), memory: null,
    }),
    'daemon.shutdown': () => ({ accepted: true as const }),
  };
  server = new RpcServer({ handlers, snapshot: () => snapshot([...jobs.values()], { queue: queue() }) });
  return { server, jobs, calls, modelReads: () => modelReads };
}

function setup(initial: Job[] = [], size = { columns: 100, rows: 30 }, features: string[] = []) {
  const daemon = scriptedDaemon(initial, features);
  let current: MemoryTransportEnd | null = null;
  let refuse = false;
  const client = new RpcClient({
    client: { name: 'tui-test' },
    connect: async () => {
      if (refuse) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      const [c, s] = createTransportPair();
      daemon.server.accept(s);
      current = c;
      return c;
    },
  });
  const opened: string[] = [];
  let exits = 0;
  const services: ServicesDeps = {
    settings: {},
    userStore: memoryUserStore(),
    settingsFile: '/tmp/fp-test/tui.json',
    settingsProblem: null,
    saveSettings: () => {},
    openFile: async (_player, file) => void opened.push(file),
    runDoctor: async () => ({ status: 'warn', provider: 'cpu', checks: [{ id: 'gpu.0', status: 'warn', finding: 'no GPU', fix: 'install a driver' }, { id: 'node.version', status: 'ok', finding: '22', fix: '' }] }),
    exit: () => void exits++,
    env: { FRAMEPACK_PLAYER: 'player-stub' },
    paths: { socketFile: '/tmp/fp-test.sock', dataDir: '/tmp/fp-test', daemonLogFile: '/tmp/fp-test/daemon.log', tuiLogFile: '/tmp/fp-test/tui.log' },
  };
  const ui = render(<App client={client} services={services} size={size} reconnectDelayMs={20} listDir={() => [{ name: 'start.png', dir: false }]} />);
  cleanups.push(() => ui.unmount(), () => client.close(), () => daemon.server.close());
  return {
    ...daemon, client, ui, opened, exits: () => exits,
    drop: () => current?.close(),
    refuse: (v: boolean) => void (refuse = v),
    frame: () => ui.lastFrame() ?? '',
    async press(...keys: string[]) {
      for (const k of keys) {
        ui.stdin.write(k);
        await new Promise((r) => setTimeout(r, 15));
      }
    },
  };
}

async function until(what: () => string, pred: (frame: string) => boolean, timeoutMs = 3_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const f = what();
    if (pred(f)) return f;
    if (Date.now() > deadline) throw new Error(`timed out; last frame:\n${f}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('dashboard workbench', () => {
  it('shows the daemon state, the jobs from the snapshot, the panel and the status bar', async () => {
    const t = setup([
      job('running-1', { state: 'running', position: null, progress: { stage: 'sample', section: { index: 1, displayIndex: 1, total: 3 }, step: null, frames: 33, seconds: 1.1 } }, { prompt: 'a running cat', image: '/img/cat.png' }),
      job('queued-1', {}, { prompt: 'a queued dog', image: '/img/dog.png' }),
    ]);
    const f = await until(t.frame, (x) => x.includes('● ready') && x.includes('running-1'));
    expect(f).toContain('JOBS');
    // Listed by prompt and image with state and progress (issue 16 item 11), not by id.
    expect(f).toContain('▶ a running cat');
    expect(f).toMatch(/cat\.png\s+1\/3 33%/);
    expect(f).toContain('◷ a queued dog');
    expect(f).toMatch(/dog\.png\s+#1 queued/);
    expect(f).toContain('▶ running-1 s1/3 33%'); // status bar: running job's sections and percent
    expect(f).toContain('queue 1');
    expect(f).toMatch(/LOGS\s+PROBLEMS\s+DAEMON/);
  });

  it('opens the palette with Ctrl+P and F1, shows keybindings, and runs a filtered command', async () => {
    const t = setup();
    await until(t.frame, (x) => x.includes('● ready'));
    await t.press(KEY.ctrlP);
    let f = await until(t.frame, (x) => x.includes('Show All Commands'));
    expect(f).toMatch(/Workbench: Show All Commands\s+Ctrl\+P, F1/);
    await t.press(...'show all');
    f = await until(t.frame, (x) => x.includes('> show all'));
    expect(f).toContain(' 1 command · '); // not "1 commands" (issue 16 item 13)
    await t.press(KEY.esc);
    await until(t.frame, (x) => !x.includes('Show All Commands'));
    await t.press(KEY.f1);
    await until(t.frame, (x) => x.includes('Show All Commands'));
    await t.press('p', 'a', 'u', 's', 'e');
    f = await until(t.frame, (x) => x.includes('> pause'));
    expect(f).toContain('Queue: Pause Queue');
    expect(f).not.toContain('Queue: Resume Queue'); // `when`: the queue is not paused
    await t.press(KEY.down, KEY.enter);
    f = await until(t.frame, (x) => x.includes('queue 0 ⏸'));
    expect(t.calls.map((c) => c.method)).toEqual(['queue.pause']);
    await t.press(KEY.ctrlP);
    await until(t.frame, (x) => x.includes('Show All Commands'));
    await t.press('k', 'e', 'y', 'b', 'o', 'a', 'r', 'd');
    f = await until(t.frame, (x) => x.includes('> keyboard'));
    expect(f).toContain('1 command · Enter runs'); // not "1 commands" (issue 16 item 13)
  });

  it('submits a new job from the form and follows its sections to success', async () => {
    // React reports a setState during render (the form once reloaded the settings store while
    // rendering: "Cannot update a component (ServicesProvider) while rendering … NewJobForm") on console.error.
    const consoleError = vi.spyOn(console, 'error');
    cleanups.push(() => consoleError.mockRestore());
    const renderWarnings = () => consoleError.mock.calls.map((c) => c.map(String).join(' ')).filter((m) => /Cannot update a component|while rendering a different component/.test(m));
    const t = setup();
    await until(t.frame, (x) => x.includes('● ready'));
    await t.press('n');
    await until(t.frame, (x) => x.includes('NEW JOB'));
    await t.press('/', 'i', 'n', '/', 's', KEY.tab); // Tab completes the image path
    await until(t.frame, (x) => x.includes('/in/start.png'));
    await t.press(KEY.enter, 'a', ' ', 'c', 'a', 't');
    await t.press(KEY.down, '\u0015', '3'); // seconds: Ctrl+U clears, then 3
    let f = await until(t.frame, (x) => /Seconds\s+3/.test(x));
    expect(f).toContain('plan: sections and frames appear when the job starts');
    await t.press(KEY.ctrlS);
    f = await until(t.frame, (x) => x.includes('queued job-1'));
    expect(JobSpec.parse(t.calls[0]!.params)).toMatchObject({ image: '/in/start.png', prompt: 'a cat', seconds: 3, steps: 25 });
    const events = runEvents('job-1', 2, 2);
    const firstDone = events.findIndex((e) => e.event === 'section.done');
    for (const e of events.slice(0, firstDone + 1)) t.server.publish(e.event, e.payload as never);
    f = await until(t.frame, (x) => x.includes('sections 1/2'));
    expect(f).toMatch(/start\.png\s+1\/2 50%/); // side-bar section counter
    expect(f).toContain('timeline (video time →)  □■');
    expect(f).toContain('generation order         2■ 1□');
    expect(f).toContain('inverted: the end of the video is generated first');
    for (const e of events.slice(firstDone + 1)) t.server.publish(e.event, e.payload as never);
    f = await until(t.frame, (x) => x.includes('job-1 · succeeded'));
    expect(f).toContain('✔ a cat');
    expect(f).toMatch(/start\.png\s+2\/2 done/);
    expect(f).toContain('output: /tmp/job-1.mp4');
    // The next form's plan uses what the daemon reported for this job.
    await t.press('n');
    await until(t.frame, (x) => x.includes('NEW JOB'));
    await t.press(KEY.down, KEY.down, '\u0015', '3');
    f = await until(t.frame, (x) => /Seconds\s+3/.test(x));
    expect(f).toContain('plan: 2 sections · 66 frames (as job job-1)');
    expect(f).toContain('time: 0.04 s/step → 1s/section · ≈2s in all');
    expect(renderWarnings()).toEqual([]);
  });

  it('cancels after the section, re-runs with a new seed, copies parameters and opens the output', async () => {
    const t = setup([
      job('run', { state: 'running', position: null, progress: { stage: 'sample', section: { index: 0, displayIndex: 1, total: 2 }, step: null, frames: 0, seconds: 0 } }, { seed: 5 }),
      job('done', { state: 'succeeded', position: null, outputPath: '/out/done.mp4', timing, createdAt: '2026-11-27T00:00:00.000Z' }, { seed: 11, prompt: 'copied prompt' }),
    ]);
    await until(t.frame, (x) => x.includes('● ready') && x.includes('run'));
    await t.press('x');
    await until(t.frame, (x) => x.includes('stops after its current section'));
    expect(t.calls.at(-1)).toEqual({ method: 'jobs.cancel', params: { jobId: 'run', when: 'after-section' } });
    await t.press(KEY.down, 'r');
    // Nothing else waits: position 1, counted from 1 as everywhere (issue 16 item 13).
    await until(t.frame, (x) => /queued job-1 \(seed \d+, position 1\)/.test(x));
    const rerun = t.calls.at(-1)!;
    expect(rerun.method).toBe('jobs.submit');
    expect(rerun.params).toMatchObject({ prompt: 'copied prompt' });
    expect((rerun.params as { seed: number }).seed).not.toBe(11);
    await t.press(KEY.down); // the list is now run, job-1, done
    await t.press('o');
    await until(t.frame, (x) => x.includes('opened /out/done.mp4 with player-stub'));
    expect(t.opened).toEqual(['/out/done.mp4']);
    await t.press('y');
    const f = await until(t.frame, (x) => x.includes('NEW JOB (copied parameters)'));
    expect(f).toMatch(/Prompt\s+copied prompt/);
    expect(f).toMatch(/Seed\s+11/);
  });

  it('moves a queued job up (K) and down (Alt+↓), and removes it after D then y (issue 16: reorder/remove)', async () => {
    const t = setup([
      job('run', { state: 'running', position: null }, { prompt: 'running job' }),
      job('qa', { position: 0, createdAt: '2026-11-28T01:00:00.000Z' }, { prompt: 'queued alpha' }),
      job('qb', { position: 1, createdAt: '2026-11-28T01:00:01.000Z' }, { prompt: 'queued beta' }),
      job('qc', { position: 2, createdAt: '2026-11-28T01:00:02.000Z' }, { prompt: 'queued gamma' }),
    ]);
    const rows = (f: string) => [...f.matchAll(/◷ queued (\w+)/g)].map((m) => m[1]);
    await until(t.frame, (x) => x.includes('● ready') && rows(x).length === 3);
    await t.press('j', 'j', 'j'); // running, alpha, beta, gamma: select gamma
    await t.press('K');
    let f = await until(t.frame, (x) => rows(x).join() === 'alpha,gamma,beta');
    expect(f).toContain('moved to #2 of 3: qc');
    await t.press('K'); // the selection followed gamma: it moves up again
    await until(t.frame, (x) => rows(x).join() === 'gamma,alpha,beta');
    await t.press('\u001b[1;3B'); // Alt+↓
    await until(t.frame, (x) => rows(x).join() === 'alpha,gamma,beta');
    expect(t.calls.filter((c) => c.method === 'jobs.move').map((c) => c.params)).toEqual([{ jobId: 'qc', to: 1 }, { jobId: 'qc', to: 0 }, { jobId: 'qc', to: 1 }]);
    await t.press('D');
    f = await until(t.frame, (x) => x.includes('Remove queued job qc'));
    await t.press('n'); // any other key: nothing removed
    await until(t.frame, (x) => !x.includes('Remove queued job qc'));
    expect(rows(t.frame()).join()).toBe('alpha,gamma,beta');
    await t.press('D');
    await until(t.frame, (x) => x.includes('Remove queued job qc'));
    await t.press('y');
    f = await until(t.frame, (x) => rows(x).join() === 'alpha,beta');
    expect(f).toContain('removed (2 still queued): qc');
    expect(f).toMatch(/#2 queued/); // beta's position came from queue.reordered
    // On the running job the keys do nothing but say so.
    await t.press('k', 'k', 'k', 'D');
    f = await until(t.frame, (x) => x.includes('not available here'));
    expect(t.calls.filter((c) => c.method === 'jobs.remove')).toEqual([{ method: 'jobs.remove', params: { jobId: 'qc' } }]);
  });

  it('re-reads the models when a job starts or ends, so leases and expiries are not stale (issue 16 item 5)', async () => {
    const t = setup([job('q-1', {}, { prompt: 'a dog', image: '/img/dog.png' })]);
    await until(t.frame, (x) => x.includes('● ready'));
    const reads = () => t.modelReads();
    const before = reads();
    t.server.publish('job.started', { jobId: 'q-1', startedAt: '2026-11-28T03:00:01.000Z' });
    await until(() => String(reads()), (n) => Number(n) > before);
    const afterStart = reads();
    t.server.publish('job.cancelled', { jobId: 'q-1', when: 'now', partialPath: null, timing: null });
    await until(() => String(reads()), (n) => Number(n) > afterStart);
  });

  it('shows models and loads one, runs the doctor into Problems, shows help, and quits', async () => {
    const t = setup();
    await until(t.frame, (x) => x.includes('● ready'));
    await t.press('2');
    let f = await until(t.frame, (x) => x.includes('MODELS'));
    expect(f).toContain('○ text-encoder');
    await t.press(KEY.down, 'l');
    f = await until(t.frame, (x) => x.includes('● vae'));
    expect(f).toMatch(/● vae\s+300 MiB/);
    expect(t.calls.at(-1)).toEqual({ method: 'models.load', params: { model: 'framepack-tiny', components: ['vae'] } });
    await t.press('d');
    f = await until(t.frame, (x) => x.includes('gpu.0: no GPU → install a driver'));
    await t.press('4');
    f = await until(t.frame, (x) => x.includes('DIAGNOSTICS'));
    // Each check with what was found, as `framepack doctor` says it, not only its id (issue 16 item 13).
    expect(f).toContain('⚠ gpu.0 · no GPU');
    expect(f).toContain('✔ node.version · 22');
    await t.press('?');
    f = await until(t.frame, (x) => x.includes('KEYS'));
    expect(f).toMatch(/Ctrl\+P, F1\s+Workbench: Show All Commands/);
    await t.press('z', 'q'); // any key closes help; q quits
    await until(() => String(t.exits()), (x) => x === '1');
  });

  it('with a daemon that serves them: the form plans through jobs.plan (debounced) and Problems come from daemon.doctor', async () => {
    const t = setup([], { columns: 130, rows: 32 }, ['jobs.plan', 'daemon.doctor']);
    // The cached start-up report arrives without pressing anything; no child process is run.
    await until(t.frame, (x) => x.includes('● ready'));
    await t.press('4');
    let f = await until(t.frame, (x) => x.includes('overall fail · 2 checks · cpu'));
    expect(f).toContain('✖ ffmpeg · ffmpeg not found');
    await t.press('t');
    f = await until(t.frame, (x) => x.includes('✖ ffmpeg: ffmpeg not found → install ffmpeg'));
    expect(f).toContain('runs on cpu: the CUDA provider is not usable');
    expect(t.calls.filter((c) => c.method === 'daemon.doctor')).toEqual([{ method: 'daemon.doctor', params: { quick: true, refresh: false } }]);
    await t.press('n');
    f = await until(t.frame, (x) => x.includes('NEW JOB'));
    // No image yet: one line says so (not a plan line and a fix line saying the same).
    expect(f).toContain('fix: image choose a start image');
    expect(f).not.toContain('plan: choose a start image');
    await t.press('/', 'i', 'n', '/', 's', KEY.tab);
    f = await until(t.frame, (x) => x.includes('plan: 96×64 bucket (from 200×120) · 4 sections · 145 frames = 4.83 s'));
    expect(f).toContain('sections: made 1 2 3 4 · in the video 4 3 2 1 (end first) · 312 tokens/call');
    expect(f).toContain('time: 0.50 s/step → 13s/section · ≈50s sampling (measured on job-0)');
    const before = t.calls.filter((c) => c.method === 'jobs.plan').length;
    // Text and Enter in one chunk (as a paste or tmux delivers them): Enter still moves on.
    await t.press(KEY.enter, 'a cat\r', '\u0015', '2'); // prompt, then seconds: 2, typed quickly
    f = await until(t.frame, (x) => x.includes('· 2 sections · 73 frames'));
    expect(f).toMatch(/Prompt\s+a cat\s*│/);
    expect(f).toMatch(/Seconds\s+2▏?\s*│/);
    const after = t.calls.filter((c) => c.method === 'jobs.plan');
    // Debounced: the cleared field and the new value cost one call, not one per key.
    expect(after.length - before).toBe(1);
    expect(after.at(-1)!.params).toEqual({ image: '/in/start.png', seconds: 2, window: 9, steps: 25, mode: 'inverted' });
    // Run Doctor (palette) re-runs the checks in the daemon.
    await t.press(KEY.ctrlP, ...'run doctor', KEY.enter);
    f = await until(t.frame, (x) => x.includes('ffmpeg still missing'));
    expect(t.calls.filter((c) => c.method === 'daemon.doctor').at(-1)!.params).toEqual({ quick: true, refresh: true });
  });

  it('fits 80×24 exactly, with the form and a running job', async () => {
    const t = setup([job('a-long-job-identifier-1234', { state: 'running', position: null, progress: { stage: 'sample', section: { index: 0, displayIndex: 4, total: 5 }, step: { section: 0, step: 3, steps: 25, secPerStep: 1.5, etaSectionMs: 33_000, etaJobMs: 180_000 }, frames: 0, seconds: 0 } })], { columns: 80, rows: 24 });
    let f = await until(t.frame, (x) => x.includes('● ready') && x.includes('a-long'));
    const check = (frame: string) => {
      const lines = frame.split('\n');
      expect(lines).toHaveLength(24);
      for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
    };
    check(f);
    await t.press(KEY.enter); // open the running job
    f = await until(t.frame, (x) => x.includes('step  3/25'));
    expect(f).toContain('1.50 s/step');
    expect(f).toContain('ETA job 3m00s · section 33s');
    expect(f).toContain('· sampling');
    expect(f).toContain('timeline (video time →)  □□□□▶');
    check(f);
    await t.press('n');
    f = await until(t.frame, (x) => x.includes('NEW JOB'));
    check(f);
  });

  it('reconnects when the daemon goes away and comes back', async () => {
    const t = setup([job('a')]);
    await until(t.frame, (x) => x.includes('● ready'));
    t.refuse(true);
    t.drop();
    let f = await until(t.frame, (x) => x.includes('↻ reconnecting'));
    expect(f).toContain('lost the connection to the daemon');
    t.refuse(false);
    f = await until(t.frame, (x) => x.includes('● ready') && x.includes('reconnected to the daemon'));
    expect(f).toContain('◷ a');
  });
});
