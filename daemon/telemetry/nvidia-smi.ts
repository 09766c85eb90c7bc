// A small nvidia-smi client: GPU totals and free memory, driver/CUDA versions, compute capability,
// and this process's own GPU memory (--query-compute-apps). nvidia-smi missing (ENOENT) means the
// machine runs in CPU mode, which is a state, not an error; output we cannot parse is reported as
// such (with its first line) so the doctor can say what went wrong instead of guessing.
import { execFile } from 'node:child_process';

const DEFAULT_TIMEOUT_MS = 10_000;
const GPU_FIELDS = ['index', 'uuid', 'name', 'driver_version', 'memory.total', 'memory.used', 'memory.free', 'compute_cap'] as const;
/** Drivers older than ~510 do not know compute_cap; the query is retried without it. */
const GPU_FIELDS_OLD = GPU_FIELDS.filter((f) => f !== 'compute_cap');

export interface GpuInfo {
  index: number;
  uuid: string;
  name: string;
  driverVersion: string;
  totalMiB: number;
  usedMiB: number;
  freeMiB: number;
  /** "8.0" etc.; null when the driver is too old to report it. */
  computeCapability: string | null;
}

export type GpuQuery =
  | { available: true; gpus: GpuInfo[]; driverVersion: string; /** From nvidia-smi's banner, e.g. "12.4"; null if not shown. */ cudaVersion: string | null }
  | { available: false; reason: 'not-found' | 'failed' | 'unparseable'; detail: string };

export interface NvidiaSmiOptions {
  /** Binary name or path (default 'nvidia-smi', looked up on PATH). */
  binary?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

interface RunResult { ok: true; stdout: string } 
type RunOutcome = RunResult | { ok: false; notFound: boolean; detail: string; stdout: string };

function run(args: string[], opts: NvidiaSmiOptions): Promise<RunOutcome> {
  return new Promise((resolve) => {
    execFile(opts.binary ?? 'nvidia-smi', args, { env: opts.env ?? process.env, timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      if (!err) { resolve({ ok: true, stdout: String(stdout) }); return; }
      const code = (err as NodeJS.ErrnoException).code;
      const first = (String(stderr).trim() || String(stdout).trim() || err.message).split('\n')[0]!.trim();
      resolve({ ok: false, notFound: code === 'ENOENT', detail: code === 'ENOENT' ? 'nvidia-smi not found on PATH' : first, stdout: String(stdout) });
    });
  });
}

/** A number field; nvidia-smi writes "[N/A]" or "[Not Supported]" when it has none. */
function num(s: string | undefined): number | null {
  if (s === undefined) return null;
  const t = s.trim();
  if (!/^-?\d+(\.\d+)?$/.test(t)) return null;
  return Number(t);
}

/** Parses `--query-gpu=<GPU_FIELDS> --format=csv,noheader,nounits`; null when any line is not that. */
export function parseGpuCsv(stdout: string, withComputeCap: boolean): GpuInfo[] | null {
  const lines = stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  if (lines.length === 0) return null;
  const gpus: GpuInfo[] = [];
  for (const line of lines) {
    const f = line.split(',').map((x) => x.trim());
    if (f.length !== (withComputeCap ? GPU_FIELDS.length : GPU_FIELDS_OLD.length)) return null;
    const [index, uuid, name, driver, total, used, free, cap] = f as [string, string, string, string, string, string, string, string | undefined];
    const i = num(index); const t = num(total); const u = num(used); const fr = num(free);
    if (i === null || t === null || u === null || fr === null || !name) return null;
    gpus.push({
      index: i, uuid, name, driverVersion: driver, totalMiB: t, usedMiB: u, freeMiB: fr,
      computeCapability: cap && /^\d+\.\d+$/.test(cap) ? cap : null,
    });
  }
  return gpus;
}

/** The "CUDA Version: 12.4" of nvidia-smi's banner (the highest CUDA the driver supports). */
export function parseCudaVersion(banner: string): string | null {
  return /CUDA Version\s*:\s*([\d.]+)/.exec(banner)?.[1] ?? null;
}

/** Every GPU nvidia-smi sees, with the driver's CUDA version. */
export async function queryGpus(opts: NvidiaSmiOptions = {}): Promise<GpuQuery> {
  const fmt = '--format=csv,noheader,nounits';
  let res = await run([`--query-gpu=${GPU_FIELDS.join(',')}`, fmt], opts);
  let withCap = true;
  if (!res.ok && res.notFound) return { available: false, reason: 'not-found', detail: res.detail };
  if (!res.ok && /compute_cap|not a valid field/i.test(res.detail + res.stdout)) {
    res = await run([`--query-gpu=${GPU_FIELDS_OLD.join(',')}`, fmt], opts);
    withCap = false;
  }
  if (!res.ok) return { available: false, reason: 'failed', detail: res.detail };
  const gpus = parseGpuCsv(res.stdout, withCap);
  if (!gpus) return { available: false, reason: 'unparseable', detail: `unexpected nvidia-smi output: ${JSON.stringify(res.stdout.trim().split('\n')[0]?.slice(0, 120) ?? '')}` };
  const banner = await run([], opts);
  return { available: true, gpus, driverVersion: gpus[0]?.driverVersion ?? '', cudaVersion: banner.ok ? parseCudaVersion(banner.stdout) : null };
}

export interface ProcessGpuUsage {
  pid: number;
  /** MiB this process holds per GPU (by uuid); empty when it holds none. */
  perGpu: { uuid: string; usedMiB: number }[];
  totalMiB: number;
}

/** Parses `--query-compute-apps=pid,gpu_uuid,used_memory --format=csv,noheader,nounits`. */
export function parseComputeApps(stdout: string): { pid: number; uuid: string; usedMiB: number | null }[] | null {
  const out: { pid: number; uuid: string; usedMiB: number | null }[] = [];
  for (const line of stdout.split('\n').map((l) => l.trim()).filter(Boolean)) {
    // "No running processes found" is printed by some drivers instead of an empty list.
    if (/^no running/i.test(line)) continue;
    const f = line.split(',').map((x) => x.trim());
    const pid = num(f[0]);
    if (f.length !== 3 || pid === null) return null;
    out.push({ pid, uuid: f[1]!, usedMiB: num(f[2]) });
  }
  return out;
}

/** GPU memory held by `pid` (default: this process); null when nvidia-smi is absent or says nothing usable. */
export async function queryProcessUsage(pid: number = process.pid, opts: NvidiaSmiOptions = {}): Promise<ProcessGpuUsage | null> {
  const res = await run(['--query-compute-apps=pid,gpu_uuid,used_memory', '--format=csv,noheader,nounits'], opts);
  if (!res.ok) return null;
  const apps = parseComputeApps(res.stdout);
  if (!apps) return null;
  const perGpu = apps.filter((a) => a.pid === pid).map((a) => ({ uuid: a.uuid, usedMiB: a.usedMiB ?? 0 }));
  return { pid, perGpu, totalMiB: perGpu.reduce((a, g) => a + g.usedMiB, 0) };
}

export interface GpuSample { at: number; gpus: GpuQuery; process: ProcessGpuUsage | null }

/**
 * Polls both queries every `intervalMs` while a job runs (one in flight at a time, so a slow
 * nvidia-smi never piles up). In CPU mode the first sample says so and polling stops.
 */
export function pollGpu(intervalMs: number, onSample: (s: GpuSample) => void, opts: NvidiaSmiOptions & { pid?: number } = {}): { stop(): void } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    const gpus = await queryGpus(opts);
    if (stopped) return;
    const proc = gpus.available ? await queryProcessUsage(opts.pid ?? process.pid, opts) : null;
    if (stopped) return;
    onSample({ at: Date.now(), gpus, process: proc });
    if (!gpus.available && gpus.reason === 'not-found') return;
    timer = setTimeout(() => void tick(), intervalMs);
    timer.unref();
  };
  void tick();
  return { stop() { stopped = true; if (timer) clearTimeout(timer); } };
}
