// `npx tsx scripts/bench/vae-arena.ts`: the cost of running the VAE decoder without ORT's CPU memory
// arena (as the pipeline's sessions do, daemon/engine/pipeline/sessions.ts): the default bundle's
// decode at its default bucket (10 latents 8×12 → 37 frames 64×96, temporal tiles), arena on vs
// off in one process, alternating, 2 threads; prints the medians of 6 and their ratio.
import path from 'node:path';
import { createCpuSession, tensorF32 } from '../../daemon/onnx/run.js';
import { tiledVaeDecode } from '../../daemon/models/vae/spatial-tiling.js';
const file = path.resolve(import.meta.dirname, '../../models/framepack-tiny/vae/vae_decoder.onnx');
const on = await createCpuSession(file, { threads: 2 });
const off = await createCpuSession(file, { threads: 2, cpuMemArena: false });
const z = { data: Float32Array.from({ length: 4 * 10 * 8 * 12 }, (_, i) => Math.sin(i)), dims: [1, 4, 10, 8, 12] as [number, number, number, number, number] };
const time = async (s: typeof on) => { const t0 = performance.now(); await tiledVaeDecode(z, async (t) => { const o = (await s.run({ latents: tensorF32(t.data, [...t.dims]) })).pixels!; return { data: o.data as Float32Array, dims: o.dims as never }; }, null); return performance.now() - t0; };
await time(on); await time(off);
const r: Record<string, number[]> = { on: [], off: [] };
for (let i = 0; i < 6; i++) { r.on!.push(await time(on)); r.off!.push(await time(off)); }
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
console.log(JSON.stringify({ onMs: med(r.on!), offMs: med(r.off!), ratio: med(r.off!) / med(r.on!), on: r.on, off: r.off }));
