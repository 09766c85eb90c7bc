// The WebGPU probe runs in a child process. Measured on a machine with libvulkan1 and no Vulkan
// driver: creating a WebGPU session throws after 30-70 ms ("Failed to get a WebGPU adapter: No
// supported adapters"), the failure is sticky for the process (a second try throws at once), and
// the Vulkan loader and Dawn print their warnings straight to fd 2 from native code. A driver that
// hangs or aborts in vkCreateInstance cannot be ruled out on machines we cannot test, so the probe
// gets its own process with a timeout: a hang or abort costs the probe, never the daemon, and the
// native warnings land in the probe's captured stderr (quoted when they explain a failure).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { errorLine } from './check.js';

/** CommonJS source run by `node -e`: argv[1] = onnxruntime-node's entry; stdin = JSON {model, x, dims}. */
const CHILD_SOURCE = `
const ort = require(process.argv[1]);
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', async () => {
  const req = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const started = performance.now();
  try {
    const session = await ort.InferenceSession.create(Buffer.from(req.model, 'base64'), { executionProviders: ['webgpu'], logSeverityLevel: 3, graphOptimizationLevel: 'disabled' });
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from(req.x), req.dims) });
    const y = Array.from(out.y.data);
    await session.release();
    process.stdout.write(JSON.stringify({ ok: true, y, ms: performance.now() - started }) + '\\n');
  } catch (err) {
    process.stdout.write(JSON.stringify({ ok: false, error: String(err && err.message || err), ms: performance.now() - started }) + '\\n');
  }
  process.exit(0);
});`;

export interface ChildProbeRequest { model: Uint8Array; x: Float32Array; dims: number[] }
export interface ChildProbeResult {
  /** The session ran; y is its output (the caller checks the numbers). */
  y: Float32Array | null;
  error: string | null;
  ms: number;
  /** The child's stderr (Vulkan loader / Dawn warnings), last 2000 characters. */
  stderr: string;
}

export function ortEntryPath(): string {
  return createRequire(import.meta.url).resolve('onnxruntime-node');
}

/** Lines of the child's stderr worth quoting: the loader's and Dawn's warnings. */
export function vulkanWarnings(stderr: string): string[] {
  return stderr.split('\n').map((l) => l.trim()).filter((l) => /^Warning: /.test(l)).map((l) => l.replace(/^Warning: /, '')).slice(0, 6);
}

export async function probeWebgpuInChild(req: ChildProbeRequest, opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv; nodePath?: string; source?: string } = {}): Promise<ChildProbeResult> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(opts.nodePath ?? process.execPath, ['-e', opts.source ?? CHILD_SOURCE, ortEntryPath()], { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    let stdout = '';
    let stderr = '';
    let settled = false;
    const finish = (r: Omit<ChildProbeResult, 'ms' | 'stderr'> & { ms?: number }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...r, ms: r.ms ?? performance.now() - started, stderr: stderr.slice(-2000) });
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({ y: null, error: `the WebGPU probe process gave no answer within ${timeoutMs} ms (killed)` });
    }, timeoutMs);
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString('utf8'); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString('utf8'); if (stderr.length > 64_000) stderr = stderr.slice(-8000); });
    child.on('error', (err) => finish({ y: null, error: `could not start the WebGPU probe process: ${errorLine(err)}` }));
    child.on('close', (code, signal) => {
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        try {
          const r = JSON.parse(line) as { ok: boolean; y?: number[]; error?: string; ms: number };
          finish(r.ok ? { y: Float32Array.from(r.y ?? []), error: null, ms: r.ms } : { y: null, error: errorLine(r.error ?? 'unknown error'), ms: r.ms });
          return;
        } catch { /* fall through: garbled answer */ }
      }
      finish({ y: null, error: signal ? `the WebGPU probe process crashed (${signal})` : `the WebGPU probe process exited with status ${code} without an answer` });
    });
    child.stdin.on('error', () => { /* the child died before reading; 'close' reports it */ });
    child.stdin.end(JSON.stringify({ model: Buffer.from(req.model).toString('base64'), x: Array.from(req.x), dims: req.dims }));
  });
}
