// `npm run bench -- <name> [options]`: benchmarks that report numbers (tests assert behaviour).
//   graphs   load time and one forward of each graph of a bundle at its default bucket
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchGraphs, type GraphBenchRow } from './bench/graphs-bench.js';

const HELP = `usage: npm run bench -- <benchmark> [--json] [--bundle DIR] [--runs N]

benchmarks:
  graphs    session load time and one forward of every graph of a bundle at its
            default bucket (transformer chained as one sampling step)

options:
  --bundle DIR   bundle folder (default: models/framepack-tiny)
  --runs N       timed forwards after the first, median reported (default: 5)
  --json         one JSON object per line instead of a table
`;

const root = path.resolve(import.meta.dirname, '..');
// `npm run bench -- graphs --json | head` closes our stdout early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => { if (err.code === 'EPIPE') process.exit(0); else throw err; });

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: {
      json: { type: 'boolean', default: false },
      bundle: { type: 'string', default: path.join(root, 'models', 'framepack-tiny') },
      runs: { type: 'string', default: '5' },
      help: { type: 'boolean', short: 'h', default: false },
    } });
  } catch (err) {
    console.error(`bench: ${(err as Error).message}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) { process.stdout.write(HELP); return 0; }
  const name = positionals[0];
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) { console.error(`bench: --runs must be a positive integer (got ${values.runs})`); return 2; }
  if (name !== 'graphs') {
    console.error(name ? `bench: unknown benchmark '${name}' (available: graphs)` : 'bench: name a benchmark (available: graphs); --help for usage');
    return 2;
  }
  const rows: GraphBenchRow[] = [];
  await benchGraphs({
    bundleDir: path.resolve(values.bundle), runs,
    onRow: (row) => { rows.push(row); if (values.json) console.log(JSON.stringify(row)); },
  });
  if (!values.json) {
    console.log(`bundle ${rows[0]?.bundle} at ${rows[0]?.bucket}, ${rows[0]?.threads} threads, median of ${runs} forwards after the first`);
    console.log(`${'graph'.padEnd(30)} ${'load ms'.padStart(9)} ${'first ms'.padStart(9)} ${'median ms'.padStart(10)}`);
    for (const r of rows) console.log(`${r.graph.padEnd(30)} ${r.loadMs.toFixed(1).padStart(9)} ${r.firstForwardMs.toFixed(1).padStart(9)} ${r.medianForwardMs.toFixed(1).padStart(10)}`);
  }
  return 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (err: unknown) => {
  console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
