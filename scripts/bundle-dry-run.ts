// `npm run build-bundle -- --dry-run [--config FILE] [--block-size N] [--compute fp32|fp16] [--json]`:
// the bundle builder without weights (daemon/models/bundle/dry-run.ts). For the config (default: the
// official full-size FramePack, preset 'full', whose component configs are the official
// config.json's, official-configs.ts), prints each component's weight bytes as fp32, fp16, int8 and
// int4 bundles, nothing written and no checkpoint needed.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { resolveBundleConfig, type ComponentDefinitions } from '../daemon/models/bundle/bundle-config.js';
import { dryRunBundle, type DryRunComponent } from '../daemon/models/bundle/dry-run.js';
import { DEFAULT_QUANT_BLOCK_SIZE, quantizationFor, type WeightFormat } from '../daemon/models/bundle/quantization.js';

export const DRY_RUN_USAGE = `Usage: npm run build-bundle -- --dry-run [--config FILE] [--block-size N] [--compute fp32|fp16] [--json]

Computes every component's weight bytes as an fp32, fp16, int8 and int4 bundle by building the
graphs from parameter shapes only: no weights are read or written.

  --config FILE        bundle config (default: the official full-size model, preset 'full')
  --block-size N       int8/int4 block size (default ${DEFAULT_QUANT_BLOCK_SIZE})
  --compute fp32|fp16  int8/int4 compute dtype, i.e. of their unquantised weights (default fp32)
  --json               one JSON object per format instead of a table`;

/** The official model: the definitions' full presets are the official config.json's. */
export const OFFICIAL_DRY_RUN_CONFIG = { name: 'framepack-official', preset: 'full' };

export interface DryRunFormat { format: WeightFormat; computeDtype: 'float32' | 'float16'; blockSize: number | null; components: DryRunComponent[]; totalBytes: number }

export function dryRunFormats(configJson: unknown, definitions: ComponentDefinitions, blockSize: number, compute: 'float32' | 'float16'): DryRunFormat[] {
  const config = resolveBundleConfig(configJson, definitions);
  return (['fp32', 'fp16', 'int8', 'int4'] as const).map((format) => {
    const q = quantizationFor(format, blockSize);
    const computeDtype = format === 'fp32' ? 'float32' : format === 'fp16' ? 'float16' : compute;
    const components = dryRunBundle(config, definitions, computeDtype, q);
    return { format, computeDtype, blockSize: q ? blockSize : null, components, totalBytes: components.reduce((a, c) => a + c.weightBytes, 0) };
  });
}

const gb = (b: number) => (b / 1e9).toFixed(2);

export function dryRunTable(rows: DryRunFormat[]): string {
  const ids = rows[0]!.components.map((c) => c.id);
  const head = `${'component'.padEnd(16)}${'parameters'.padStart(14)}${rows.map((r) => `${r.format}${r.blockSize ? `/${r.computeDtype === 'float16' ? 'fp16' : 'fp32'}` : ''} GB`.padStart(14)).join('')}`;
  const lines = ids.map((id, i) => `${id.padEnd(16)}${String(rows[0]!.components[i]!.parameterCount).padStart(14)}${rows.map((r) => gb(r.components[i]!.weightBytes).padStart(14)).join('')}`);
  const total = `${'total'.padEnd(16)}${String(rows[0]!.components.reduce((a, c) => a + c.parameterCount, 0)).padStart(14)}${rows.map((r) => gb(r.totalBytes).padStart(14)).join('')}`;
  const q = rows.find((r) => r.blockSize)!;
  const quantized = q.components.filter((c) => c.linears).map((c) => `${c.id}: ${c.linears} Linears, ${c.quantizedParameters} of ${c.parameterCount} parameters`).join('; ');
  return [head, ...lines, total, `int8/int4: block ${q.blockSize}, compute ${q.computeDtype}; quantised ${quantized}`].join('\n');
}

/** Returns the exit code (0, or 2 for bad flags/config). */
export async function dryRunMain(argv: string[], definitions: ComponentDefinitions, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, allowPositionals: false, options: {
      'dry-run': { type: 'boolean' }, config: { type: 'string' }, 'block-size': { type: 'string' }, compute: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    } }));
  } catch (e: unknown) {
    err(`build-bundle --dry-run: ${(e as Error).message}\n(run with --dry-run --help for usage)\n`);
    return 2;
  }
  if (values.help) { out(`${DRY_RUN_USAGE}\n`); return 0; }
  const blockSize = values['block-size'] === undefined ? DEFAULT_QUANT_BLOCK_SIZE : Number(values['block-size']);
  if (!Number.isInteger(blockSize) || blockSize < 16 || (blockSize & (blockSize - 1)) !== 0) { err(`build-bundle --dry-run: --block-size must be a power of two ≥ 16, not '${values['block-size']}'\n`); return 2; }
  if (values.compute !== undefined && values.compute !== 'fp32' && values.compute !== 'fp16') { err(`build-bundle --dry-run: --compute must be fp32 or fp16, not '${values.compute}'\n`); return 2; }
  let configJson: unknown = OFFICIAL_DRY_RUN_CONFIG;
  if (values.config) {
    try { configJson = JSON.parse(await readFile(values.config, 'utf8')); } catch (e: unknown) {
      err(`build-bundle --dry-run: --config ${values.config}: ${(e as Error).message}\n`);
      return 2;
    }
  }
  let rows;
  try {
    rows = dryRunFormats(configJson, definitions, blockSize, values.compute === 'fp16' ? 'float16' : 'float32');
  } catch (e: unknown) {
    err(`build-bundle --dry-run: ${(e as Error).message}\n`);
    return 2;
  }
  out(values.json ? `${rows.map((r) => JSON.stringify(r)).join('\n')}\n` : `${dryRunTable(rows)}\n`);
  return 0;
}
