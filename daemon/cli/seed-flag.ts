// `--seed` with the official range: the demo hands its seed to torch.Generator("cpu").manual_seed,
// which takes any integer from -2^63 to 2^64-1 (a negative one as its two's complement) and seeds
// mt19937 with the low 32 bits only (FRAMEPACK.md §6.1; engine/seeded-noise.ts does the same). So
// `--seed -1` or `--seed 18446744073709551615` is a valid official seed: it is replaced here by the
// non-negative seed with the same low 32 bits, which draws exactly the same noise. Seeds from 0 to
// 2^53-1 are kept as typed (the spec's range); the text is read exactly (BigInt), not as a double.
import { parseNumberFlag } from './job-args.js';
import { UsageError } from './errors.js';

const TORCH_SEED_MIN = -(2n ** 63n);
const TORCH_SEED_MAX = 2n ** 64n - 1n;

export function parseSeedFlag(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  // Not a plain integer (1e3, 1.5, abc): the strict number reader and the spec's checks say why.
  if (!/^[+-]?\d+$/.test(t)) return parseNumberFlag('--seed', text);
  const seed = BigInt(t);
  if (seed >= 0n && seed <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(seed);
  if (seed < TORCH_SEED_MIN || seed > TORCH_SEED_MAX) {
    throw new UsageError(`--seed must be an integer from -2^63 to 2^64-1, torch's manual_seed range (got ${t})`);
  }
  return Number(BigInt.asUintN(32, seed));
}
