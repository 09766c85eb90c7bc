// The daemon's peak RSS for one tiny-bundle job under each executable memory plan, one daemon
// after the other on the same machine: all resident (a daemon with room) against the encoders
// released after conditioning (a daemon whose --device-memory, 44.0 MiB, only that plan fits).
// Peak = the daemon process's VmHWM (the worker thread that runs ONNX Runtime is in it); after =
// its VmRSS when the job has ended. Same job, same seed: the videos are compared frame for frame.
//   npx tsx scripts/bench/plan-rss.ts [--runs N]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { collectEvents, startDaemon, terminalsOf } from '../../test/helpers/daemon-harness.js';

const { values } = parseArgs({ args: process.argv.slice(2), options: { runs: { type: 'string', default: '3' } } });
const runs = Number(values.runs);
const MIB = 1024 ** 2;
const kib = (pid: number, field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

async function measure(plan: 'all-resident' | 'release-encoders') {
  const args = plan === 'all-resident' ? ['--preserve-vram', '0'] : ['--device-memory', '0.04297', '--preserve-vram', '0'];
  const d = await startDaemon({ env: { FRAMEPACK_ENGINE: 'onnx' }, args });
  try {
    const image = path.join(d.base, 'start.png');
    const rgb = Buffer.alloc(96 * 64 * 3);
    for (let i = 0; i < 96 * 64; i++) rgb.set([(i * 7) % 256, (i * 13) % 256, (i * 29) % 256], i * 3);
    await sharp(rgb, { raw: { width: 96, height: 64, channels: 3 } }).png().toFile(image);
    const c = await d.client();
    const col = await collectEvents(c);
    const spec = { image, prompt: 'memory plan', model: 'framepack-tiny', seconds: 1, steps: 2, seed: 11, cfg: 1.5 };
    const planned = (await c.call('jobs.plan', { image, model: spec.model, seconds: spec.seconds, steps: spec.steps })).memory!;
    if (planned.kind !== plan || !planned.fits) throw new Error(`expected ${plan}, the daemon planned ${planned.kind} (fits ${planned.fits})`);
    const { jobId } = await c.call('jobs.submit', spec);
    await col.until((ev) => terminalsOf(ev, jobId).length > 0, 300_000);
    const [term] = terminalsOf(col.events, jobId);
    if (term!.event !== 'job.succeeded') throw new Error(JSON.stringify(term));
    const pid = d.child.pid!;
    const out = (term!.payload as { outputPath: string }).outputPath;
    const frames = execFileSync('ffmpeg', ['-v', 'error', '-i', out, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 64 << 20 });
    return { peakBytes: kib(pid, 'VmHWM'), afterBytes: kib(pid, 'VmRSS'), plannedPeakBytes: planned.peakBytes, frames };
  } finally {
    await d.cleanup();
  }
}

for (let r = 1; r <= runs; r++) {
  const resident = await measure('all-resident');
  const released = await measure('release-encoders');
  const same = resident.frames.equals(released.frames);
  process.stdout.write(`run ${r}: all-resident peak ${(resident.peakBytes / MIB).toFixed(1)} MiB, after ${(resident.afterBytes / MIB).toFixed(1)} MiB (planned ${(resident.plannedPeakBytes / MIB).toFixed(1)}); `
    + `encoders released peak ${(released.peakBytes / MIB).toFixed(1)} MiB, after ${(released.afterBytes / MIB).toFixed(1)} MiB (planned ${(released.plannedPeakBytes / MIB).toFixed(1)}); `
    + `peak ratio ${(released.peakBytes / resident.peakBytes).toFixed(3)}, after ratio ${(released.afterBytes / resident.afterBytes).toFixed(3)}; frames identical: ${same}\n`);
}
