// Peak device memory while a probe step runs: nvidia-smi polled every 250 ms (memory.used of GPU 0,
// MiB). The first reading is the baseline; null everywhere when nvidia-smi is absent (CPU runs).
import { spawn } from 'node:child_process';

export interface VramReading { baselineMiB: number | null; peakMiB: number | null; samples: number }

/** memory.used values (MiB) from nvidia-smi's csv,noheader,nounits lines; other lines are skipped. */
export function parseMemoryLines(text: string): number[] {
  return text.split('\n').map((l) => l.split(',')[0]!.trim()).filter((v) => /^\d+(\.\d+)?$/.test(v)).map(Number);
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
      // No pid: nvidia-smi did not start (absent). 'exit', not 'close': the readings so far are
      // what counts, not the pipe's end; a 2 s cap in case the process ignores SIGTERM.
      if (child && child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        const done = new Promise((r) => { child!.once('exit', r); setTimeout(r, 2000).unref(); });
        child.kill('SIGTERM');
        await done;
      }
      return { baselineMiB: values[0] ?? null, peakMiB: values.length ? Math.max(...values) : null, samples: values.length };
    },
  };
}
