// The daemon's entry (`framepack daemon run`, or `node --import tsx daemon/main.ts`): resolve the
// config, claim the socket (start lock, stale-socket recovery, never stealing a live daemon),
// build the services (engine, residency, journal, jobs), serve the protocol, register, and install
// the one shutdown path on SIGTERM/SIGINT/SIGHUP, daemon.shutdown and the idle timer.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listenNodeIpc } from '../shared/ipc/node-ipc-transport.js';
import { RpcServer } from '../shared/ipc/rpc-server.js';
import type { TransportServer } from '../shared/ipc/transport.js';
import { PROTOCOL_VERSION, type ExecutionProviderInfo, type MemoryTelemetry } from '../shared/protocol/index.js';
import { systemClock } from './clock.js';
import { loadConfig, type DaemonConfig } from './config.js';
import { runDoctor } from './diagnostics/doctor.js';
import { DoctorService } from './diagnostics/doctor-service.js';
import { probeAndSelect, reuseProbes, type ProviderSelection } from './diagnostics/provider-selection.js';
import { readSettings } from './settings.js';
import type { Engine } from './engine/engine.js';
import { FakeEngine } from './engine/fake-engine.js';
import { JobJournal } from './jobs/job-journal.js';
import { JobService } from './jobs/job-service.js';
import { AlreadyRunningError, claimInstance } from './lifecycle/claim-instance.js';
import { DataDirInUseError, lockDataDir, type DataDirLock } from './lifecycle/data-dir-lock.js';
import { IdleTimer } from './lifecycle/idle-timer.js';
import { preparePrivateDataDir } from './lifecycle/private-data-dir.js';
import { removeRegistration, writeRegistration } from './lifecycle/registration.js';
import { clearStartFailure, reportStartFailure } from './lifecycle/start-failure-note.js';
import { createShutdown } from './lifecycle/shutdown.js';
import { createLogger, type LogRecord } from './log.js';
import { clientDrivenLog } from './log-rate-limit.js';
import { budgetBytes, readTelemetry } from './residency/memory.js';
import { ResidencyScheduler } from './residency/scheduler.js';
import { daemonMemoryDeps, startPlan, withMemoryAdmission } from './residency/memory-admission.js';
import { buildHandlers, buildSnapshot } from './rpc/handlers.js';
import { dropClaimedLeftovers } from './cluster/claimed-jobs.js';
import type { ClusterWorker } from './cluster/worker.js';
import { componentEstimates, JobTelemetry } from './telemetry/job-telemetry.js';
import { parseStreamMode } from './models/transformer/stream-mode.js';

/** How often memory telemetry is read and published. */
export const TELEMETRY_INTERVAL_MS = 5_000;
export const DAEMON_LOG_FILE = 'daemon.log';

export function daemonVersion(): string {
  const pkg = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

async function createEngine(config: DaemonConfig): Promise<Engine> {
  if (config.engine === 'fake') return new FakeEngine({ stepMs: config.fakeStepMs, loadMs: config.fakeLoadMs });
  if (config.engineThread === 'worker') {
    const { WorkerEngine } = await import('./engine/worker-engine.js');
    return new WorkerEngine();
  }
  const { OnnxEngine } = await import('./engine/framepack-engine.js');
  return new OnnxEngine();
}

/** Device bytes the budget is taken from: configured, else the first GPU's total, else host RAM. */
function deviceTotal(config: DaemonConfig, telemetry: MemoryTelemetry): number {
  if (config.deviceMemoryBytes > 0) return config.deviceMemoryBytes;
  return telemetry.vram[0]?.totalBytes ?? os.totalmem();
}

/** Runs until shut down; resolves with the exit code for failures to start (a running daemon exits through shutdown). */
export async function runDaemon(argv: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const config = loadConfig(argv, env);
  const logFile = path.join(config.dataDir, DAEMON_LOG_FILE);
  let tightened: string[];
  try {
    tightened = preparePrivateDataDir(config.dataDir, logFile);
  } catch (err: unknown) {
    reportStartFailure(config.socketPath, `cannot use the data dir ${config.dataDir} (${(err as Error).message}); make it a folder your user can write, or set FRAMEPACK_DATA_DIR to another one`);
    return 1;
  }
  let server: RpcServer | null = null;
  let tapping = false;
  const tap = (r: LogRecord) => {
    // A log line about a dropped log event must not publish again.
    if (!server || tapping) return;
    tapping = true;
    try {
      const jobId = typeof r.fields.jobId === 'string' ? r.fields.jobId : undefined;
      server.publish('log', { time: r.time, level: r.level, scope: r.scope.slice(0, 64), message: r.message.slice(0, 10_000), ...(jobId ? { jobId } : {}), fields: r.fields });
    } finally {
      tapping = false;
    }
  };
  const log = createLogger({ file: logFile, level: config.logLevel, tap });
  const lifecycle = log.child({ scope: 'lifecycle' });

  let claim;
  try {
    claim = await claimInstance(config.socketPath, lifecycle);
  } catch (err: unknown) {
    lifecycle.error('could not claim the socket', { error: (err as Error).message });
    // A lost start race (exit 3) is no failure: its clients connect to the winner.
    if (err instanceof AlreadyRunningError) process.stderr.write(`framepack daemon: ${err.message}\n`);
    else reportStartFailure(config.socketPath, (err as Error).message);
    return err instanceof AlreadyRunningError ? 3 : 1;
  }
  if (tightened.length > 0) lifecycle.info('made the data dir private (0700 folder, 0600 log)', { paths: tightened });
  // One daemon per data dir, whatever its runtime dir: the journal's jobs must run once.
  let dataLock: DataDirLock;
  try {
    dataLock = lockDataDir(config.dataDir, config.socketPath, lifecycle);
  } catch (err: unknown) {
    claim.release();
    lifecycle.error('could not lock the data dir', { error: (err as Error).message });
    reportStartFailure(config.socketPath, (err as Error).message);
    return err instanceof DataDirInUseError ? 4 : 1;
  }

  const startedAtMs = Date.now();
  let memory: MemoryTelemetry = await readTelemetry();
  // The provider is chosen before the engine exists: the real engine opens its sessions on it. The
  // fake engine runs nothing, so its daemon probes in the background and reports what it found.
  let provider: ExecutionProviderInfo | null = null;
  // FRAMEPACK_EP wins over the `provider` setting; either may say auto.
  const settingProvider = readSettings(env).provider;
  const epRequest = env.FRAMEPACK_EP ? { override: env.FRAMEPACK_EP, source: 'FRAMEPACK_EP' } : typeof settingProvider === 'string' ? { override: settingProvider, source: 'setting provider' } : { override: undefined };
  const selection: Promise<ProviderSelection | null> = probeAndSelect({ ...epRequest, engine: config.engine }).then((sel) => {
    provider = sel.info;
    lifecycle.info(`execution provider: ${sel.info.name} (${sel.info.reason})`, { provider: sel.info.name });
    return sel;
  }, (err: unknown) => {
    lifecycle.error('execution provider probe failed; using the cpu', { error: err instanceof Error ? err.stack : String(err) });
    provider = { name: 'cpu', reason: `the provider probe failed: ${(err as Error).message}`, probes: [] };
    return null;
  });
  if (config.engine !== 'fake') {
    await selection;
    // OnnxEngine reads FRAMEPACK_EP when constructed (the worker thread inherits process.env): it
    // gets the provider chosen, which is the CPU when the one asked for is not usable.
    if (provider) process.env.FRAMEPACK_EP = (provider as ExecutionProviderInfo).name;
  }
  // A bad FRAMEPACK_STREAM_MODE stops the start here with its message, not in the engine's worker.
  if (config.engine !== 'fake') parseStreamMode(env.FRAMEPACK_STREAM_MODE);
  // The memory plan's check at submit (docs/memory.md) wraps the real engine; the fake one has no bundles.
  const memoryDeps = config.engine === 'fake' ? null
    : daemonMemoryDeps({ preserveBytes: config.preserveVramBytes, deviceMemoryBytes: config.deviceMemoryBytes, resident: () => scheduler.list() });
  // LoRA variants of the transformer are cached in the data dir (engine/lora-sessions.ts), read by the worker too.
  process.env.FRAMEPACK_LORA_CACHE_DIR ??= path.join(config.dataDir, 'lora-cache');
  const engine = memoryDeps ? withMemoryAdmission(await createEngine(config), memoryDeps) : await createEngine(config);
  const budget = budgetBytes(deviceTotal(config, memory), config.preserveVramBytes);
  lifecycle.info('starting', { pid: process.pid, engine: engine.name, socket: config.socketPath, dataDir: config.dataDir, budgetBytes: budget });

  // A worker of a shared queue (--queue) also relays its shared jobs' events to Redis (daemon/cluster/).
  let cluster: ClusterWorker | null = null;
  const publish = ((event, payload) => {
    server?.publish(event, payload as never);
    cluster?.tap(event, payload as never);
  }) as ConstructorParameters<typeof JobService>[0]['publish'];
  const scheduler = new ResidencyScheduler({
    engine, budgetBytes: budget, defaultKeepAliveMs: config.keepAliveMs, log, clock: systemClock,
    onLoaded: (e) => publish('model.loaded', { model: e.model, component: e.component, device: e.footprint.device, vramBytes: Math.round(e.footprint.vramBytes), ramBytes: Math.round(e.footprint.ramBytes), loadMs: e.loadMs, expiresAt: e.expiresAt }),
    onUnloaded: (e) => publish('model.unloaded', { model: e.model, component: e.component, reason: e.reason, ...(e.detail ? { detail: e.detail.slice(0, 1000) } : {}) }),
  });
  let idle: IdleTimer | null = null;
  const journal = new JobJournal(config.dataDir, { log, onCheckpoint: (id, c) => cluster?.checkpointSaved(id, c) });
  const jobs = new JobService({
    engine, scheduler, journal, queueLimit: config.queueLimit, outputDir: config.outputDir,
    maxInputBytes: config.maxInputBytes, jobRetentionMs: config.jobRetentionMs,
    ...(memoryDeps ? { memoryPlan: (spec, model: string) => startPlan(memoryDeps, spec, model) } : {}),
    publish, log, onBusyChange: (busy) => {
      idle?.set('job', busy);
      if (busy) jobTelemetry.start();
      else jobTelemetry.stop();
    },
  });
  // While a job runs: nvidia-smi every second (device used/free/total, this process's VRAM) with RAM,
  // RSS and the resident components' estimates; the 5 s host reading below pauses meanwhile.
  const jobTelemetry = new JobTelemetry({ publish: (t) => { memory = t; publish('telemetry', t); }, components: () => scheduler.list() });
  const doctor = new DoctorService({
    log: log.child({ scope: 'doctor' }),
    provider: () => provider,
    run: async (quick) => {
      const sel = await selection;
      return runDoctor({
        env, outputDir: config.outputDir, skipGeneration: quick,
        serviceChecks: async () => (cluster ? [await cluster.doctorCheck()] : []),
        ...(config.engine !== 'fake' ? { model: engine.defaultModel } : {}),
        ...(sel ? { probe: reuseProbes(sel.probes) } : {}),
      });
    },
  });
  let knownModels: string[] = await engine.listModels();
  let listener: TransportServer | null = null;
  let telemetryTimer: NodeJS.Timeout | null = null;
  const services = {
    engine, jobs, scheduler, memory: () => memory, doctor, memoryDeps,
    cluster: { defaultQueue: () => config.queueUrl, log: log.child({ scope: 'cluster' }), maxInputBytes: config.maxInputBytes },
    identity: {
      cluster: () => cluster?.status() ?? null,
      provider: () => provider,
      version: daemonVersion(), startedAtMs, socketPath: config.socketPath,
      instanceId: () => server!.instanceId, connections: () => server!.connections,
      shutdown: (reason: string) => void shutdown(reason),
    },
  };
  const shutdown = createShutdown({
    stopJobs: async () => {
      await cluster?.beforeStop();
      await jobs.stop(config.shutdownGraceMs);
      await cluster?.afterStop();
    },
    releaseModels: async () => {
      await scheduler.unloadAll('shutdown');
      await (engine as { terminate?: () => Promise<void> }).terminate?.();
    },
    closeServer: async () => {
      server?.close();
      await listener?.close();
    },
    cleanup: () => {
      idle?.stop();
      if (telemetryTimer) clearInterval(telemetryTimer);
      jobTelemetry.stop();
      removeRegistration(config.socketPath);
      dataLock.release();
    },
    exit: (code) => process.exit(code),
  }, lifecycle);

  // What socket clients can trigger is rate-limited per message, so no client can flood daemon.log.
  const clientLog = clientDrivenLog(log, { now: Date.now, schedule: (fn, delayMs) => void setTimeout(fn, delayMs).unref() });
  server = new RpcServer({
    handlers: buildHandlers(services),
    snapshot: buildSnapshot(services, () => knownModels),
    maxConnections: config.maxConnections,
    helloTimeoutMs: config.helloTimeoutMs,
    maxSubscriptionsPerConnection: config.maxSubscriptions,
    log: clientLog('rpc'),
  });
  try {
    jobs.restore();
    listener = await listenNodeIpc(config.socketPath, (transport) => {
      const conn = server!.accept(transport);
      idle?.set(`client:${conn.id}`, true);
      transport.onClose(() => idle?.set(`client:${conn.id}`, false));
    }, { log: clientLog('ipc') });
  } catch (err: unknown) {
    claim.release();
    dataLock.release();
    lifecycle.error('could not start', { error: err instanceof Error ? err.stack : String(err) });
    reportStartFailure(config.socketPath, (err as Error).message);
    return 1;
  }
  claim.release();
  clearStartFailure(config.socketPath);
  writeRegistration(config.socketPath, {
    pid: process.pid, daemonVersion: daemonVersion(), protocolVersion: PROTOCOL_VERSION, socketPath: config.socketPath,
    instanceId: server.instanceId, startedAt: new Date(startedAtMs).toISOString(), dataDir: config.dataDir, logFile, engine: engine.name,
  });
  idle = new IdleTimer(systemClock, config.idleTimeoutMs, () => void shutdown(`idle for ${config.idleTimeoutMs} ms`));
  telemetryTimer = setInterval(() => {
    if (!jobTelemetry.active) {
      void readTelemetry().then((t) => {
        if (jobTelemetry.active) return;
        memory = { ...t, components: componentEstimates(scheduler.list()) };
        publish('telemetry', memory);
      });
    }
    void engine.listModels().then((m) => { knownModels = m; }, () => {});
  }, TELEMETRY_INTERVAL_MS);
  telemetryTimer.unref();

  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => void shutdown(signal));
  // A bug in one request must not take the warm models down (STYLE.md §3.3 conv. 9): log and stay up.
  process.on('uncaughtException', (err) => lifecycle.error('uncaught exception', { error: err.stack }));
  process.on('unhandledRejection', (err) => lifecycle.error('unhandled rejection', { error: err instanceof Error ? err.stack : String(err) }));

  if (config.startPolicy === 'pause') jobs.pause();
  // A worker of a shared queue (docs/cluster.md): bullmq loads only here. Before jobs.start(): the
  // shared jobs a killed run left in the local queue are dropped first (the queue gave them away).
  if (config.queueUrl) {
    const { parseQueueUrl } = await import('./cluster/queue-url.js');
    const { ClusterWorker } = await import('./cluster/worker.js');
    cluster = await ClusterWorker.start({ target: parseQueueUrl(config.queueUrl), jobs, journal, dataDir: config.dataDir, log, lockMs: config.queueLockMs });
  } else dropClaimedLeftovers(config.dataDir, jobs, lifecycle);
  lifecycle.info('ready', { socket: config.socketPath, instanceId: server.instanceId, queued: jobs.queue.order.length });
  jobs.start();
  // After readiness, in the background: clients connect while the checks run.
  setImmediate(() => void doctor.startQuick());
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  // A start that throws (a bad setting, an unusable folder) says why in one line: `framepack daemon
  // start` shows that line from the log as the reason (shared/ipc/start-failure.ts).
  const code = await runDaemon(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`framepack daemon: ${err instanceof Error ? err.message : String(err)}\n${err instanceof Error ? err.stack : ''}\n`);
    return 1;
  });
  if (code !== 0) process.exit(code);
}
