// The daemon's settings in one registry (ollama's envconfig, STYLE.md §3.2): each has an env
// variable, a `daemon run` flag, a default in code, a description and a parser. Flags beat env.
// Directories follow the XDG base directories so tests and users can run isolated daemons side
// by side (FRAMEPACK_RUNTIME_DIR / XDG_RUNTIME_DIR for the socket, FRAMEPACK_DATA_DIR /
// XDG_DATA_HOME for the journal, jobs and log). User settings (settings.ts, `framepack config`)
// sit between the defaults and env: defaults < settings < env < flags (FRAMEPACK_DATA_DIR beats
// the dataDir setting, which beats XDG_DATA_HOME).
import path from 'node:path';
import { DEFAULT_KEEP_ALIVE_MS, keepAliveToMs } from '../shared/domain/keep-alive.js';
import { dataDir, runtimeDir, socketPath } from '../shared/ipc/socket-path.js';
import { parseQueueUrl } from './cluster/queue-url.js';
import { readSettings } from './settings.js';

export interface DaemonConfig {
  runtimeDir: string;
  socketPath: string;
  dataDir: string;
  outputDir: string;
  /** 'onnx' = the real pipeline; 'fake' = the scripted engine (tests, CPU-only development). */
  engine: 'onnx' | 'fake';
  /** 'worker' = the real engine runs in a worker thread (default); 'main' = on the daemon's event loop. */
  engineThread: 'worker' | 'main';
  /** Most jobs waiting before jobs.submit answers QUEUE_FULL. */
  queueLimit: number;
  /** Default keep-alive of loaded components, ms (−1 = forever). */
  keepAliveMs: number;
  /** VRAM kept free for activations (the official gpu_memory_preservation), bytes. */
  preserveVramBytes: number;
  /** Device memory the budget is taken from; 0 = detect (nvidia-smi total, else host RAM). */
  deviceMemoryBytes: number;
  /** Exit after this long without jobs or clients; 0 = never (default). */
  idleTimeoutMs: number;
  /** How long shutdown waits for the running section before aborting it. */
  shutdownGraceMs: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** 'run' = start queued jobs at once (default); 'pause' = start with the queue paused (PEERS.md §C4.7). */
  startPolicy: 'run' | 'pause';
  /** Largest start image jobs.submit copies into the job folder, bytes (checked before copying). */
  maxInputBytes: number;
  /** How long a finished, failed or cancelled job's folder (input copy, preview) is kept; 0 = delete at once, -1 = forever. */
  jobRetentionMs: number;
  /** Socket clients served at once; more are refused with LIMIT_EXCEEDED (idle ones without hello make room first). */
  maxConnections: number;
  /** A connection that has not said hello after this long is closed. */
  helloTimeoutMs: number;
  /** Subscriptions one connection may hold. */
  maxSubscriptions: number;
  /** The shared queue this daemon is a worker of (docs/cluster.md); null = only its own queue (default). */
  queueUrl: string | null;
  /** Shared queue: how long a worker's lock on its job lasts unrenewed (a dead worker's job moves on after about this). */
  queueLockMs: number;
  /** Fake engine: ms per sampler step and per component load. */
  fakeStepMs: number;
  fakeLoadMs: number;
}

type Env = Readonly<Record<string, string | undefined>>;

interface Setting<K extends keyof DaemonConfig> {
  key: K;
  env: string;
  flag: string;
  description: string;
  parse(value: string): DaemonConfig[K];
}

const GB = 1024 ** 3;
const MB = 1024 ** 2;

function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`${name} must be a non-negative integer, got '${v}'`);
    return n;
  };
}

function durationMs(name: string) {
  return (v: string): number => {
    try {
      return keepAliveToMs(v);
    } catch (err: unknown) {
      // The grammar's own message says which limit was crossed (negative, above the timer maximum).
      throw new RangeError(`${name} must be a duration like '30s', '5m', seconds, 0 or -1; got '${v}' (${(err as Error).message.replace(/^keepAlive /, '')})`);
    }
  };
}

function gigabytes(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new RangeError(`${name} must be a non-negative number of GB, got '${v}'`);
    return Math.round(n * GB);
  };
}

/** Every setting, in the order `daemon status --json` prints them. */
export const SETTINGS: readonly Setting<keyof DaemonConfig>[] = [
  { key: 'engine', env: 'FRAMEPACK_ENGINE', flag: '--engine', description: "'onnx' (real pipeline) or 'fake' (scripted, for tests)", parse: (v) => {
    if (v !== 'onnx' && v !== 'fake') throw new RangeError(`--engine must be 'onnx' or 'fake', got '${v}'`);
    return v;
  } },
  { key: 'engineThread', env: 'FRAMEPACK_ENGINE_THREAD', flag: '--engine-thread', description: "'worker' (default): the real engine off the event loop; 'main'", parse: (v) => {
    if (v !== 'worker' && v !== 'main') throw new RangeError(`--engine-thread must be 'worker' or 'main', got '${v}'`);
    return v;
  } },
  { key: 'queueLimit', env: 'FRAMEPACK_MAX_QUEUE', flag: '--max-queue', description: 'jobs waiting before QUEUE_FULL (default 64)', parse: (v) => Math.max(1, positiveInt('--max-queue')(v)) },
  { key: 'keepAliveMs', env: 'FRAMEPACK_KEEP_ALIVE', flag: '--keep-alive', description: "how long idle components stay loaded: '5m' (default), 0, -1 (forever); at most 24.8 days", parse: durationMs('--keep-alive') },
  { key: 'preserveVramBytes', env: 'FRAMEPACK_PRESERVE_VRAM', flag: '--preserve-vram', description: 'GB of device memory kept free (default 6, as the official demo)', parse: gigabytes('--preserve-vram') },
  { key: 'deviceMemoryBytes', env: 'FRAMEPACK_DEVICE_MEMORY', flag: '--device-memory', description: 'GB of device memory to budget from; 0 = detect', parse: gigabytes('--device-memory') },
  { key: 'idleTimeoutMs', env: 'FRAMEPACK_IDLE_TIMEOUT', flag: '--idle-timeout', description: "exit after this long idle: '3h'; 0 = never (default)", parse: durationMs('--idle-timeout') },
  { key: 'shutdownGraceMs', env: 'FRAMEPACK_SHUTDOWN_GRACE', flag: '--shutdown-grace', description: "time a shutdown waits for the running section (default '60s')", parse: durationMs('--shutdown-grace') },
  { key: 'logLevel', env: 'FRAMEPACK_LOG_LEVEL', flag: '--log-level', description: 'debug, info (default), warn or error', parse: (v) => {
    if (!['debug', 'info', 'warn', 'error'].includes(v)) throw new RangeError(`--log-level must be debug, info, warn or error, got '${v}'`);
    return v as DaemonConfig['logLevel'];
  } },
  { key: 'startPolicy', env: 'FRAMEPACK_START_POLICY', flag: '--start-policy', description: "'run' queued jobs at start (default) or 'pause' the queue", parse: (v) => {
    if (v !== 'run' && v !== 'pause') throw new RangeError(`--start-policy must be 'run' or 'pause', got '${v}'`);
    return v;
  } },
  { key: 'maxInputBytes', env: 'FRAMEPACK_MAX_INPUT_SIZE', flag: '--max-input-size', description: 'MB: largest start image a job may copy (default 256)', parse: (v) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new RangeError(`--max-input-size must be a positive number of MB, got '${v}'`);
    return Math.round(n * MB);
  } },
  { key: 'jobRetentionMs', env: 'FRAMEPACK_JOB_RETENTION', flag: '--job-retention', description: "how long a finished job's folder is kept: '24h' (default), 0 = at once, -1 = forever", parse: durationMs('--job-retention') },
  { key: 'maxConnections', env: 'FRAMEPACK_MAX_CONNECTIONS', flag: '--max-connections', description: 'socket clients served at once (default 256)', parse: (v) => Math.max(1, positiveInt('--max-connections')(v)) },
  { key: 'helloTimeoutMs', env: 'FRAMEPACK_HELLO_TIMEOUT', flag: '--hello-timeout', description: "close connections without a hello after this long (default '10s')", parse: (v) => {
    const ms = durationMs('--hello-timeout')(v);
    if (ms <= 0) throw new RangeError(`--hello-timeout must be a positive duration like '10s', got '${v}'`);
    return ms;
  } },
  { key: 'maxSubscriptions', env: 'FRAMEPACK_MAX_SUBSCRIPTIONS', flag: '--max-subscriptions', description: 'subscriptions per connection (default 64)', parse: (v) => Math.max(1, positiveInt('--max-subscriptions')(v)) },
  { key: 'outputDir', env: 'FRAMEPACK_OUTPUT_DIR', flag: '--output-dir', description: 'where finished videos go (default <data dir>/outputs)', parse: (v) => path.resolve(v) },
  { key: 'queueUrl', env: 'FRAMEPACK_QUEUE', flag: '--queue', description: 'redis://[user:password@]host:port/db, rediss://… or unix:///path: be a worker of that shared queue (docs/cluster.md)', parse: (v) => {
    try {
      parseQueueUrl(v);
    } catch (err: unknown) {
      throw new RangeError((err as Error).message);
    }
    return v;
  } },
  { key: 'queueLockMs', env: 'FRAMEPACK_QUEUE_LOCK', flag: '--queue-lock', description: "shared queue: a dead worker's job goes to another after this long (default '30s')", parse: (v) => {
    const ms = durationMs('--queue-lock')(v);
    if (ms < 500) throw new RangeError(`--queue-lock must be at least 500 ms, got '${v}'`);
    return ms;
  } },
  { key: 'fakeStepMs', env: 'FRAMEPACK_FAKE_STEP_MS', flag: '--fake-step-ms', description: 'fake engine: ms per step (default 20)', parse: positiveInt('--fake-step-ms') },
  { key: 'fakeLoadMs', env: 'FRAMEPACK_FAKE_LOAD_MS', flag: '--fake-load-ms', description: 'fake engine: ms per component load (default 10)', parse: positiveInt('--fake-load-ms') },
];

export { dataDir };

/** Resolve the configuration from env and `daemon run` flags (`--name value` or `--name=value`). */
export function loadConfig(argv: readonly string[] = [], env: Env = process.env): DaemonConfig {
  const settings = readSettings(env);
  const data = !env.FRAMEPACK_DATA_DIR && typeof settings.dataDir === 'string' ? settings.dataDir : dataDir(env);
  const config: DaemonConfig = {
    runtimeDir: runtimeDir({ env }),
    socketPath: socketPath({ env }),
    dataDir: data,
    outputDir: typeof settings.outputDir === 'string' ? settings.outputDir : path.join(data, 'outputs'),
    engine: 'onnx',
    engineThread: 'worker',
    queueLimit: 64,
    keepAliveMs: DEFAULT_KEEP_ALIVE_MS,
    preserveVramBytes: 6 * GB,
    deviceMemoryBytes: 0,
    idleTimeoutMs: 0,
    shutdownGraceMs: 60_000,
    logLevel: 'info',
    startPolicy: 'run',
    maxInputBytes: 256 * MB,
    jobRetentionMs: 24 * 3_600_000,
    maxConnections: 256,
    helloTimeoutMs: 10_000,
    maxSubscriptions: 64,
    queueUrl: null,
    queueLockMs: 30_000,
    fakeStepMs: 20,
    fakeLoadMs: 10,
  };
  if (typeof settings.queue === 'string') config.queueUrl = settings.queue;
  if (settings.keepAlive !== undefined) config.keepAliveMs = keepAliveToMs(settings.keepAlive as string | number);
  if (typeof settings.preserveVram === 'number') config.preserveVramBytes = Math.round(settings.preserveVram * GB);
  const assign = (s: Setting<keyof DaemonConfig>, value: string) => {
    (config as unknown as Record<string, unknown>)[s.key] = s.parse(value);
  };
  for (const s of SETTINGS) if (env[s.env] !== undefined && env[s.env] !== '') assign(s, env[s.env]!);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const s = SETTINGS.find((x) => x.flag === flag);
    if (!s) throw new RangeError(`unknown flag '${flag}' for \`framepack daemon run\` (known: ${SETTINGS.map((x) => x.flag).join(', ')})`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new RangeError(`${flag} needs a value`);
    assign(s, value);
  }
  return config;
}

/** The help text of every setting (flag, env, description). */
export function settingsHelp(): string {
  return SETTINGS.map((s) => `  ${s.flag.padEnd(18)} ${s.env.padEnd(26)} ${s.description}`).join('\n');
}
