// `npm run faults`: the issue-15 probe as a repeatable run. Each case starts a REAL daemon
// (daemon/main.ts, fake engine) on its own temp runtime and data dirs, injects one fault (kill -9
// at a pipeline stage, SIGTERM, hostile socket clients, bad output paths, a damaged journal, a
// second daemon on the same data dir) and prints one PASS/FAIL line saying what it saw. Exits 1
// when any case fails. `npm run faults -- --list` lists the cases; `--only a,b` runs some;
// `--engine onnx` runs the daemons on the real tiny bundle (slow, but decode and mux take time).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { findFfmpeg } from '../daemon/media/ffmpeg-locate.js';
import type { RpcClient } from '../shared/ipc/rpc-client.js';
import { PROTOCOL_VERSION, type EventMessage } from '../shared/protocol/index.js';
import { collectEvents, connectClient, daemonEnv, readLog, REPO_ROOT, spawnDaemon, startDaemon, tempBase, terminalsOf, type DaemonProcess } from '../test/helpers/daemon-harness.js';

interface Case {
  name: string;
  /** The issue-15 item the case reproduces. */
  item: number;
  what: string;
  /** Resolves with a detail line when the guarantee held; throws with what went wrong. */
  run(): Promise<string>;
}

class CaseFailed extends Error {}
function check(ok: unknown, message: string): asserts ok {
  if (!ok) throw new CaseFailed(message);
}

// --- helpers ---------------------------------------------------------------------------------

const daemons: DaemonProcess[] = [];
const sockets: net.Socket[] = [];
const bases: string[] = [];

/** --engine: 'fake' (default, seconds per case) or 'onnx' (the real tiny bundle, minutes). */
let engine = 'fake';

async function daemon(env: NodeJS.ProcessEnv = {}, base?: string): Promise<DaemonProcess> {
  const d = await startDaemon({ env: { FRAMEPACK_ENGINE: engine, ...env }, ...(base ? { base } : {}) });
  daemons.push(d);
  return d;
}

/** The `framepack` command against a daemon's dirs. */
function framepack(env: NodeJS.ProcessEnv, args: string[], timeoutMs = 30_000): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(REPO_ROOT, 'bin/framepack.js'), ...args], { env, timeout: timeoutMs }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr, ms: Date.now() - started });
    });
  });
}

interface RawClient {
  socket: net.Socket;
  text(): string;
  send(frames: unknown[]): void;
  closed: Promise<void>;
  isClosed(): boolean;
}

/** A hand-driven socket client: writes frames (or bytes) and keeps what it reads until paused. */
function rawClient(socketFile: string): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketFile);
    sockets.push(socket);
    let received = '';
    let closedFlag = false;
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (received += d));
    socket.on('error', () => {});
    const closed = new Promise<void>((r) => socket.once('close', () => { closedFlag = true; r(); }));
    socket.once('connect', () => resolve({
      socket, closed, text: () => received, isClosed: () => closedFlag,
      send: (frames) => void socket.write(frames.map((f) => `${JSON.stringify(f)}\f`).join('')),
    }));
    socket.once('error', reject);
  });
}

const hello = (id: number) => ({ type: 'req', data: { id, method: 'hello', params: { protocolVersion: PROTOCOL_VERSION, client: { name: 'faults' } } } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const logFile = (d: DaemonProcess) => path.join(d.dataDir, 'daemon.log');
const logBytes = (d: DaemonProcess) => (existsSync(logFile(d)) ? statSync(logFile(d)).size : 0);
const count = (text: string, needle: string) => text.split(needle).length - 1;

async function waitFor(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    check(Date.now() < deadline, `timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** Milliseconds a daemon.status round trip takes from a fresh client. */
async function statusMs(d: DaemonProcess): Promise<number> {
  const started = Date.now();
  const c = await connectClient(d.socketFile, 'faults-probe');
  try {
    await c.call('daemon.status', {}, { timeoutMs: 10_000 });
  } finally {
    c.close();
  }
  return Date.now() - started;
}

/** The fake engine reads no pixels (an 8-byte PNG header will do); the real one needs an image. */
const startImage = (d: DaemonProcess) => (engine === 'onnx' ? path.join(REPO_ROOT, 'docs/examples/start.png') : d.image());

/** Two sections; the fake engine's steps are slowed so that a stage can be hit, the real one's are few. */
const slowJob = () => ({ prompt: 'fault probe [step-ms=15]', seconds: 3, steps: engine === 'onnx' ? 3 : 12, seed: 4242 });

/** Submit, kill at the first `stage` event named `stage` (after `afterSections` sections), restart, compare with an uninterrupted run. */
async function crashAtStage(stage: string, signal: NodeJS.Signals, afterSections = 1): Promise<string> {
  let d = await daemon();
  const c = await d.client('faults');
  const col = await collectEvents(c);
  const out = path.join(d.base, 'crashed.mp4');
  const { jobId } = await c.call('jobs.submit', { image: startImage(d), ...slowJob(), out });
  const hit = (ev: EventMessage[]) => {
    let sectionsDone = 0;
    for (const e of ev) {
      if (!('jobId' in e.payload) || e.payload.jobId !== jobId) continue;
      if (e.event === 'section.done') sectionsDone++;
      if (sectionsDone < afterSections) continue;
      // Sampling is seen by its steps: the real engine sends the 'sample' stage only once per job.
      if (stage === 'sample' ? e.event === 'step' : e.event === 'stage' && e.payload.stage === stage) return true;
    }
    return false;
  };
  await col.until(hit, engine === 'onnx' ? 240_000 : 30_000);
  const killedAt = Date.now();
  const exit = await d.kill(signal);
  if (signal === 'SIGTERM') check(exit === 0, `SIGTERM: the daemon exited with ${exit}, expected 0`);
  const terminalBefore = terminalsOf(col.events, jobId)[0]?.event;
  d = await daemon({}, d.base);
  const c2 = await d.client('faults');
  const col2 = await collectEvents(c2, { jobId });
  const { job } = await c2.call('jobs.get', { jobId });
  // With the fake engine decode and mux take no time, so a kill sent at their stage event can land
  // after the job finished; the line says so instead of claiming a resume.
  const finishedBeforeKill = job.state === 'succeeded';
  if (job.state !== 'succeeded') await col2.until((ev) => terminalsOf(ev, jobId).length > 0, engine === 'onnx' ? 240_000 : 60_000);
  const { job: finished } = await c2.call('jobs.get', { jobId });
  check(finished.state === 'succeeded', `after restart the job is ${finished.state}${finished.error ? `: ${finished.error.code} ${finished.error.message}` : ''}`);
  check(existsSync(out), `no output at ${out} after restart`);
  const leftovers = readdirSync(path.dirname(out)).filter((n) => n.startsWith('crashed.mp4') && n !== 'crashed.mp4');
  check(leftovers.length === 0, `temp files left next to the output: ${leftovers.join(', ')}`);
  // The same spec without a crash must give the same bytes (the fake engine's output depends on the seed and section history).
  const refOut = path.join(d.base, 'reference.mp4');
  const ref = await c2.call('jobs.submit', { image: startImage(d), ...slowJob(), out: refOut });
  const col3 = await collectEvents(c2, { jobId: ref.jobId });
  if ((await c2.call('jobs.get', { jobId: ref.jobId })).job.state !== 'succeeded') await col3.until((ev) => terminalsOf(ev, ref.jobId).length > 0, engine === 'onnx' ? 240_000 : 60_000);
  check(await sameVideo(out, refOut), 'the resumed output differs from an uninterrupted run of the same job');
  const how = !finishedBeforeKill
    ? `resumed, succeeded ${Date.now() - killedAt} ms after the ${signal}`
    : signal === 'SIGTERM'
      ? 'the shutdown finished the running section, which was the last'
      : `the job had already finished when the kill landed${terminalBefore ? '' : ' (its event was still in flight)'}`;
  return `${signal} at stage '${stage}': ${how}; output identical to an uninterrupted run`;
}

/**
 * The fake engine's output is a small JSON file: equal bytes. Real MP4s differ in their title tag
 * (it names the job), so their decoded frames are compared (ffmpeg's md5 muxer).
 */
async function sameVideo(a: string, b: string): Promise<boolean> {
  if (engine === 'fake') return readFileSync(a).equals(readFileSync(b));
  const { ffmpegPath } = await findFfmpeg();
  const md5 = async (file: string) => (await promisify(execFile)(ffmpegPath, ['-v', 'error', '-i', file, '-f', 'md5', '-'])).stdout.trim();
  return (await md5(a)) === (await md5(b));
}

/** Write a journal (two queued jobs), stop the daemon, let `damage` change the file, restart. */
async function damagedJournal(damage: (file: string) => void): Promise<{ d: DaemonProcess | null; base: string; damaged: Buffer; output: string }> {
  const d = await daemon({ FRAMEPACK_START_POLICY: 'pause' });
  const c = await d.client('faults');
  await c.call('queue.pause', {});
  for (let i = 0; i < 2; i++) await c.call('jobs.submit', { image: startImage(d), prompt: `journal ${i}`, seconds: 1, steps: 1 });
  await d.kill('SIGTERM');
  const file = path.join(d.dataDir, 'journal.jsonl');
  damage(file);
  const damaged = statSync(file).isFile() ? readFileSync(file) : Buffer.alloc(0);
  const env = daemonEnv(d.base, { FRAMEPACK_ENGINE: engine, FRAMEPACK_START_POLICY: 'pause' });
  const { child, output, exited } = spawnDaemon(env);
  const ready = await Promise.race([
    (async () => {
      for (let i = 0; i < 200; i++) {
        if (child.exitCode !== null || child.signalCode !== null) return false;
        try {
          (await connectClient(path.join(d.runtimeDir, 'fp.sock'), 'probe')).close();
          return true;
        } catch {
          await sleep(50);
        }
      }
      return false;
    })(),
    exited.then(() => false),
  ]);
  if (!ready) {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
    return { d: null, base: d.base, damaged, output: output() };
  }
  const restarted: DaemonProcess = { ...d, child, output, exited, kill: async (s = 'SIGTERM') => { if (child.exitCode === null) child.kill(s); return exited; } };
  daemons.push(restarted);
  return { d: restarted, base: d.base, damaged, output: output() };
}

/** Files under `dir` (recursively) whose bytes equal `bytes`. */
function filesWithContent(dir: string, bytes: Buffer): string[] {
  const found: string[] = [];
  const walk = (p: string) => {
    for (const name of readdirSync(p)) {
      const full = path.join(p, name);
      const st = statSync(full);
      if (st.isDirectory()) walk(full);
      else if (st.size === bytes.length && readFileSync(full).equals(bytes)) found.push(full);
    }
  };
  walk(dir);
  return found;
}

// --- the cases ---------------------------------------------------------------------------------

const CASES: Case[] = [
  { name: 'kill9-sample', item: 2, what: 'kill -9 while sampling the second section; restart resumes to the same output', run: () => crashAtStage('sample', 'SIGKILL') },
  { name: 'kill9-decode', item: 2, what: 'kill -9 at the vae-decode stage; restart resumes to the same output', run: () => crashAtStage('vae-decode', 'SIGKILL') },
  { name: 'kill9-final-encode', item: 2, what: 'kill -9 at the final mux; restart ends in the same output', run: () => crashAtStage('mux', 'SIGKILL', 2) },
  { name: 'sigterm-sample', item: 2, what: 'SIGTERM while sampling the first section: exit 0, restart resumes to the same output', run: () => crashAtStage('sample', 'SIGTERM', 0) },
  {
    name: 'idle-connections', item: 3, what: '150 connections that never say hello; `framepack jobs` and `daemon status` still work',
    async run() {
      const d = await daemon();
      for (let i = 0; i < 150; i++) await rawClient(d.socketFile);
      const jobs = await framepack(d.env, ['jobs', '--json']);
      check(jobs.code === 0, `framepack jobs exited ${jobs.code}: ${jobs.stderr.trim()}`);
      const status = await framepack(d.env, ['daemon', 'status', '--json']);
      check(status.code === 0 && (JSON.parse(status.stdout) as { running: boolean }).running, `daemon status: exit ${status.code}: ${status.stdout.trim()} ${status.stderr.trim()}`);
      return `framepack jobs answered in ${jobs.ms} ms, daemon status in ${status.ms} ms with 150 idle sockets open`;
    },
  },
  {
    name: 'hello-timeout', item: 3, what: 'a connection without hello is told why and closed after the hello timeout (1 s here)',
    async run() {
      const d = await daemon({ FRAMEPACK_HELLO_TIMEOUT: '1s' });
      const r = await rawClient(d.socketFile);
      const started = Date.now();
      await Promise.race([r.closed, sleep(5_000)]);
      check(r.isClosed(), 'still open after 5 s');
      check(r.text().includes('LIMIT_EXCEEDED') && r.text().includes('no hello within 1000 ms'), `closed without the LIMIT_EXCEEDED frame (got ${JSON.stringify(r.text().slice(0, 200))})`);
      return `closed after ${Date.now() - started} ms with LIMIT_EXCEEDED 'no hello within 1000 ms'`;
    },
  },
  {
    name: 'connection-limit', item: 3, what: 'past --max-connections (5 here) of clients that said hello, a new client gets a clear error, not EPIPE',
    async run() {
      const d = await daemon({ FRAMEPACK_MAX_CONNECTIONS: '5' });
      const held: RpcClient[] = [];
      for (let i = 0; i < 5; i++) held.push(await connectClient(d.socketFile, `holder-${i}`));
      const jobs = await framepack(d.env, ['jobs']);
      for (const c of held) c.close();
      check(jobs.code !== 0, 'framepack jobs succeeded past the limit');
      check(!jobs.stderr.includes('EPIPE') && jobs.stderr.includes('too many connections'), `stderr: ${jobs.stderr.trim()}`);
      return `framepack jobs: ${jobs.stderr.trim()}`;
    },
  },
  {
    name: 'many-subscriptions', item: 4, what: '500 subscribe requests on one connection: 64 accepted, the rest refused; others still served at once',
    async run() {
      const d = await daemon();
      const r = await rawClient(d.socketFile);
      r.send([hello(1), ...Array.from({ length: 500 }, (_, i) => ({ type: 'req', data: { id: i + 2, method: 'subscribe', params: {} } }))]);
      await waitFor(() => count(r.text(), '"id":501') > 0, 10_000, 'all 500 answers');
      const ok = count(r.text(), '"ok":true') - 1;
      const refused = count(r.text(), 'LIMIT_EXCEEDED');
      check(ok <= 64, `${ok} subscriptions accepted on one connection`);
      check(refused === 500 - ok, `${refused} refusals for ${500 - ok} requests past the limit`);
      const ms = await statusMs(d);
      check(ms < 1_000, `another client waited ${ms} ms for daemon.status`);
      return `${ok} accepted, ${refused} refused with LIMIT_EXCEEDED; another client's daemon.status took ${ms} ms`;
    },
  },
  {
    name: 'non-reading-client', item: 4, what: 'a client with 64 subscriptions that never reads is dropped once, logged once; daemon.log stays small',
    async run() {
      const d = await daemon({ FRAMEPACK_FAKE_STEP_MS: '1' });
      const before = logBytes(d);
      const r = await rawClient(d.socketFile);
      r.send([hello(1), ...Array.from({ length: 64 }, (_, i) => ({ type: 'req', data: { id: i + 2, method: 'subscribe', params: {} } }))]);
      await waitFor(() => count(r.text(), '"ok":true') >= 65, 10_000, 'hello and 64 subscriptions');
      r.socket.pause();
      const c = await d.client('faults');
      const started = Date.now();
      for (let round = 0; round < 60 && !r.isClosed(); round++) {
        await c.call('jobs.submit', { image: startImage(d), prompt: 'storm', seconds: 4, steps: 25 });
        r.send(Array.from({ length: 200 }, (_, i) => ({ type: 'req', data: { id: 1000 + round * 1000 + i, method: 'jobs.list', params: {} } })));
        await sleep(250);
      }
      check(r.isClosed(), 'the non-reading client was never dropped');
      const droppedMs = Date.now() - started;
      const ms = await statusMs(d);
      await c.call('queue.pause', {});
      await sleep(300);
      const log = readLog(d);
      const drops = count(log, 'ERR_IPC_BACKPRESSURE');
      const grown = logBytes(d) - before;
      check(drops === 1, `the drop was logged ${drops} times`);
      check(grown < 256 * 1024, `daemon.log grew by ${grown} bytes`);
      check(ms < 1_000, `another client waited ${ms} ms for daemon.status`);
      return `dropped after ${droppedMs} ms, logged ${drops}×; daemon.log grew ${(grown / 1024).toFixed(1)} KiB (jobs included); daemon.status ${ms} ms`;
    },
  },
  {
    name: 'garbage-bytes', item: 4, what: '300 connections sending garbage, NUL bytes and a frame over the size limit; the daemon keeps serving, log bounded',
    async run() {
      const d = await daemon();
      const before = logBytes(d);
      const payloads = ['\u0000\u0001\u0002 garbage\f', 'not json\f', '[1,2,3]\f', '{"type":"start","data":{}}\f', `{"type":"req","data":"${'x'.repeat(2 * 1024 * 1024)}"}\f`];
      for (let batch = 0; batch < 10; batch++) {
        const rs = await Promise.all(Array.from({ length: 30 }, () => rawClient(d.socketFile)));
        rs.forEach((r, i) => r.socket.write(payloads[(batch * 30 + i) % payloads.length]!));
        await Promise.race([Promise.all(rs.map((r) => r.closed)), sleep(15_000)]);
      }
      const ms = await statusMs(d);
      const lines = readLog(d).split('\n').filter((l) => l.includes('"scope":"ipc"') || l.includes('"scope":"rpc"')).length;
      const grown = logBytes(d) - before;
      check(ms < 1_000, `daemon.status took ${ms} ms afterwards`);
      check(grown < 64 * 1024, `daemon.log grew by ${grown} bytes`);
      return `daemon.status ${ms} ms afterwards; ${lines} ipc/rpc log lines, daemon.log grew ${(grown / 1024).toFixed(1)} KiB`;
    },
  },
  {
    name: 'bad-out-paths', item: 8, what: 'output paths under a file, under a FIFO, 300-char names and non-.mp4 names are refused at submit',
    async run() {
      const d = await daemon({ FRAMEPACK_START_POLICY: 'pause' });
      const c = await d.client('faults');
      writeFileSync(path.join(d.base, 'afile'), 'x');
      const fifo = path.join(d.base, 'fifo');
      await new Promise<void>((resolve) => execFile('mkfifo', [fifo], () => resolve()));
      const bad = [path.join(d.base, 'afile', 'out.mp4'), path.join(fifo, 'out.mp4'), path.join(d.base, `${'n'.repeat(300)}.mp4`), path.join(d.base, 'out.mov')];
      const accepted: string[] = [];
      for (const out of bad) {
        try {
          await c.call('jobs.submit', { image: startImage(d), prompt: 'p', seconds: 1, steps: 1, out });
          accepted.push(out.length > 80 ? `${out.slice(0, 40)}…${out.slice(-12)}` : out);
        } catch {
          // refused: what we want
        }
      }
      check(accepted.length === 0, `accepted at submit: ${accepted.join(', ')}`);
      return `${bad.length} bad output paths refused at submit`;
    },
  },
  {
    name: 'journal-truncated', item: 6, what: 'a journal cut to 100 bytes: the daemon starts, warns, keeps the damaged file aside',
    async run() {
      const r = await damagedJournal((file) => writeFileSync(file, readFileSync(file).subarray(0, 100)));
      check(r.d, `the daemon did not start: ${r.output.trim().slice(0, 300)}`);
      const copies = filesWithContent(r.d.dataDir, r.damaged).filter((f) => path.basename(f) !== 'journal.jsonl');
      const warned = readLog(r.d).split('\n').some((l) => l.includes('"level":"warn"') && l.includes('journal'));
      check(warned, 'no warning about the journal in daemon.log');
      check(copies.length > 0, 'the damaged journal was not kept aside');
      return `started, warned, damaged copy at ${path.relative(r.base, copies[0]!)}`;
    },
  },
  {
    name: 'journal-random-bytes', item: 6, what: 'a journal of random bytes: the daemon starts, warns, keeps the damaged file aside',
    async run() {
      const r = await damagedJournal((file) => writeFileSync(file, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251))));
      check(r.d, `the daemon did not start: ${r.output.trim().slice(0, 300)}`);
      const copies = filesWithContent(r.d.dataDir, r.damaged).filter((f) => path.basename(f) !== 'journal.jsonl');
      const warned = readLog(r.d).split('\n').some((l) => l.includes('"level":"warn"') && l.includes('journal'));
      check(warned && copies.length > 0, `warned: ${warned}; damaged copy kept: ${copies.length > 0}`);
      return `started, warned, damaged copy kept`;
    },
  },
  {
    name: 'journal-null-line', item: 6, what: 'a journal line `null`: the daemon starts and keeps the other jobs',
    async run() {
      const r = await damagedJournal((file) => writeFileSync(file, `null\n${readFileSync(file, 'utf8')}`));
      check(r.d, `the daemon did not start: ${r.output.trim().slice(0, 300)}`);
      const c = await connectClient(path.join(r.d.runtimeDir, 'fp.sock'), 'faults');
      const { jobs } = await c.call('jobs.list', {});
      c.close();
      check(jobs.length === 2, `${jobs.length} jobs after restart, expected 2`);
      return 'started with both jobs';
    },
  },
  {
    name: 'journal-directory', item: 6, what: 'a directory in the journal\'s place: `daemon start` starts at once, warns naming it, and moves it aside',
    async run() {
      const base = tempBase();
      bases.push(base);
      const env = daemonEnv(base);
      const journal = path.join(env.FRAMEPACK_DATA_DIR!, 'journal.jsonl');
      mkdirSync(journal, { recursive: true });
      const r = await framepack(env, ['daemon', 'start'], 60_000);
      check(r.code === 0, `daemon start failed (exit ${r.code}): ${r.stderr.trim().slice(0, 300)}`);
      check(r.ms < 10_000, `daemon start took ${r.ms} ms`);
      check(/warning: .*journal\.jsonl/.test(r.stderr), `no warning naming the journal: ${r.stderr.trim().slice(0, 300)}`);
      const aside = readdirSync(env.FRAMEPACK_DATA_DIR!).filter((n) => n.startsWith('journal.jsonl.damaged-'));
      check(aside.length === 1, `the directory was not moved aside (found ${aside.join(', ') || 'nothing'})`);
      await framepack(env, ['daemon', 'stop'], 30_000);
      return `started in ${r.ms} ms, moved aside as ${aside[0]}`;
    },
  },
  {
    name: 'second-daemon', item: 5, what: 'a second daemon (other runtime dir, same data dir) refuses to start, naming the first',
    async run() {
      const d = await daemon();
      const env = daemonEnv(d.base, { FRAMEPACK_RUNTIME_DIR: path.join(d.base, 'rt2') });
      const second = spawnDaemon(env);
      const code = await Promise.race([second.exited, sleep(15_000).then(() => 'running')]);
      if (code === 'running') second.child.kill('SIGKILL');
      check(code !== 'running', 'the second daemon started on the same data dir');
      check(second.output().includes(String(d.child.pid)), `exit ${code}, but the message does not name the first daemon (pid ${d.child.pid}): ${second.output().trim().slice(0, 300)}`);
      return `refused (exit ${code}): ${second.output().trim().split('\n')[0]}`;
    },
  },
];

// --- runner ------------------------------------------------------------------------------------

async function cleanup(): Promise<void> {
  for (const s of sockets.splice(0)) s.destroy();
  // Every daemon first (a restarted one shares its base with the first), then their folders.
  const all = daemons.splice(0);
  for (const d of all) await d.kill('SIGKILL').catch(() => 0);
  for (const b of new Set([...all.map((d) => d.base), ...bases.splice(0)])) rmSync(b, { recursive: true, force: true, maxRetries: 5 });
}

const { values } = parseArgs({ options: { only: { type: 'string' }, list: { type: 'boolean' }, engine: { type: 'string', default: 'fake' } } });
if (values.engine !== 'fake' && values.engine !== 'onnx') {
  console.error(`--engine must be 'fake' or 'onnx', got '${values.engine}'`);
  process.exit(2);
}
engine = values.engine;
if (values.list) {
  for (const c of CASES) console.log(`${c.name.padEnd(22)} item ${String(c.item).padEnd(3)} ${c.what}`);
  process.exit(0);
}
const only = values.only ? new Set(values.only.split(',')) : null;
const unknown = only ? [...only].filter((n) => !CASES.some((c) => c.name === n)) : [];
if (unknown.length) {
  console.error(`unknown case(s): ${unknown.join(', ')} (see --list)`);
  process.exit(2);
}
let passed = 0;
let failed = 0;
for (const c of CASES) {
  if (only && !only.has(c.name)) continue;
  const started = Date.now();
  let line: string;
  try {
    const detail = await c.run();
    passed++;
    line = `PASS  ${c.name.padEnd(22)} item ${String(c.item).padEnd(3)} ${detail}`;
  } catch (err: unknown) {
    failed++;
    const why = err instanceof CaseFailed ? err.message : `error: ${err instanceof Error ? err.message : String(err)}`;
    line = `FAIL  ${c.name.padEnd(22)} item ${String(c.item).padEnd(3)} ${why.split('\n')[0]!.slice(0, 400)}`;
  } finally {
    await cleanup();
  }
  console.log(`${line} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
console.log(`faults: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
