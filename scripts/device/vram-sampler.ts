// Peak device memory while a probe step runs: nvidia-smi polled every 250 ms (memory.used of GPU 0,
// MiB). The first reading is the baseline; null everywhere when nvidia-smi is absent (CPU runs).
import { spawn } from 'node:child_process';

export interface VramReading { baselineMiB: number | null; peakMiB: number | null; samples: number }

export function parseMemoryLines(text: string): number[] {
  return text.split('\n').map((l) => Number(l.trim().split(',')[0])).filter((v) => Number.isFinite(v) && v >= 0 && /\d/.test(String(v)));
}

export function startVramSampler(opts: { intervalMs?: number; command?: string } = {}): { stop(): Promise<VramReading> } {
  const values: number[] = [];
  let buffered = '';
  let child: ReturnType<typeof spawn> | null = null;
  try {
    child = spawn(opts.command ?? 'nvidia-smi', ['--query-gpu=memory.used', '--format=csv,noheader,nounits', '-i', '0', `-lms`, String(opts.intervalMs ?? 250)], { stdio: ['ignore', 'pipe', 'ignore'] });
    child.on('error', () => { child = null; });
    child.stdout!.on('data', (c: Buffer) => {
      buffered += c.toString('utf8');
      const cut = buffered.lastIndexOf('\n');
      if (cut >= 0) { values.push(...parseMemoryLines(buffered.slice(0, cut))); buffered = buffered.slice(cut + 1); }
    });
  } catch { child = null; }
  return {
    stop: async () => {
      if (child && child.exitCode === null) {
        const done = new Promise((r) => child!.once('close', r));
        child.kill('SIGTERM');
        await done;
      }
      return { baselineMiB: values[0] ?? null, peakMiB: values.length ? Math.max(...values) : null, samples: values.length };
    },
  };
}
