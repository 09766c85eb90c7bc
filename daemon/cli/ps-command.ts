// `framepack ps [--json]`: resident components like `ollama ps` — model, component, device, VRAM
// and RAM bytes, and until when they stay. Does not start a daemon: nothing runs, nothing is loaded.
import type { Result } from '../../shared/protocol/index.js';
import { connectDaemon } from './daemon-client.js';
import { didYouMean } from './args.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from './errors.js';
import { formatBytes, formatUntil, table } from './format.js';
import { formatMemoryPlan } from './memory-format.js';

export const PS_HELP = `Usage: framepack ps [--json]

Lists the model components the daemon holds in memory, with their size and how long they stay,
then the memory plan of the running and queued jobs: how their components are held, the expected
peak per component, and the peak against what the device can give now (docs/memory.md).`;

export function formatPs(result: Result<'ps'>, nowMs = Date.now()): string {
  const lines: string[] = [];
  if (result.components.length === 0) lines.push('nothing loaded');
  else {
    const rows = [['MODEL', 'COMPONENT', 'DEVICE', 'VRAM', 'RAM', 'UNTIL']];
    for (const c of result.components) {
      rows.push([c.model, c.component, c.device ?? '-', formatBytes(c.vramBytes), formatBytes(c.ramBytes), c.state === 'loaded' ? formatUntil(c.expiresAt, c.keepAliveMs, c.leases, nowMs) : c.state]);
    }
    lines.push(table(rows));
  }
  for (const p of result.plans ?? []) {
    const [head, ...rest] = formatMemoryPlan(p.memory, '  ');
    lines.push('', `job ${p.jobId} (${p.state}): ${head}`, ...rest);
  }
  return lines.join('\n');
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
    // A worker of a shared queue says which (docs/cluster.md).
    const cluster = (await conn.client.call('daemon.status', {})).cluster;
    const line = cluster ? `\nworker ${cluster.worker} of the shared queue ${cluster.queue}${cluster.running ? `, running ${cluster.running}` : ''}${cluster.connected ? '' : ' (redis unreachable, reconnecting)'}` : '';
    process.stdout.write(argv.includes('--json') ? `${JSON.stringify(cluster ? { ...result, cluster } : result)}\n` : `${formatPs(result)}${line}\n`);
    return EXIT_OK;
  } finally {
    conn.client.close();
  }
}
