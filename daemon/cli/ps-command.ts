// `framepack ps [--json]`: resident components like `ollama ps` — model, component, device, VRAM
// and RAM bytes, and until when they stay. Does not start a daemon: nothing runs, nothing is loaded.
import type { Result } from '../../shared/protocol/index.js';
import { connectDaemon } from './daemon-client.js';
import { didYouMean } from './args.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from './errors.js';
import { formatBytes, formatUntil, table } from './format.js';

export const PS_HELP = `Usage: framepack ps [--json]

Lists the model components the daemon holds in memory, with their size and how long they stay.`;

export function formatPs(result: Result<'ps'>, nowMs = Date.now()): string {
  if (result.components.length === 0) return 'nothing loaded';
  const rows = [['MODEL', 'COMPONENT', 'DEVICE', 'VRAM', 'RAM', 'UNTIL']];
  for (const c of result.components) {
    rows.push([c.model, c.component, c.device ?? '-', formatBytes(c.vramBytes), formatBytes(c.ramBytes), c.state === 'loaded' ? formatUntil(c.expiresAt, c.keepAliveMs, c.leases, nowMs) : c.state]);
  }
  return table(rows);
}

export async function runPsCommand(argv: string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(`${PS_HELP}\n`);
    return EXIT_OK;
  }
  const unknown = argv.filter((a) => a !== '--json');
  if (unknown.length) throw new UsageError(`ps: unknown ${unknown[0]!.startsWith('-') ? 'flag' : 'argument'} ${unknown[0]}${didYouMean(unknown[0]!, ['--json', '--help'])} (see framepack ps --help)`);
  let conn;
  try {
    conn = await connectDaemon({ autoStart: false, name: 'framepack ps' });
  } catch (err: unknown) {
    process.stderr.write(`framepack: ${(err as Error).message}\n`);
    return EXIT_FAILURE;
  }
  try {
    const result = await conn.client.call('ps', {});
    process.stdout.write(argv.includes('--json') ? `${JSON.stringify(result)}\n` : `${formatPs(result)}\n`);
    return EXIT_OK;
  } finally {
    conn.client.close();
  }
}
