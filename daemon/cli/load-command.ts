// `framepack load [MODEL] [--component C]… [--keep-alive V] [--json]` pre-warms a model (starting
// the daemon when needed); `framepack unload [MODEL] [--component C]… [--force] [--json]` frees it
// (no model = every idle component; --force also unloads components in use once their job ends).
import { ComponentId, KeepAlive } from '../../shared/protocol/index.js';
import { connectDaemon } from './daemon-client.js';
import { parseFlags } from './args.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from './errors.js';
import { formatPs } from './ps-command.js';

export const LOAD_HELP = `Usage: framepack load [MODEL] [--component NAME]... [--keep-alive 5m|0|-1] [--json]
       framepack unload [MODEL] [--component NAME]... [--force] [--json]

Components: ${ComponentId.options.join(', ')}`;

/** `--keep-alive -1` would read as an option: join the value into `--keep-alive=-1` first. */
function joinNegative(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--keep-alive' && argv[i + 1] !== undefined) out.push(`--keep-alive=${argv[++i]}`);
    else out.push(argv[i]!);
  }
  return out;
}

function parse(command: string, argv: string[]) {
  return parseFlags(command, joinNegative(argv), { component: { type: 'string', multiple: true }, json: { type: 'boolean' }, 'keep-alive': { type: 'string' }, force: { type: 'boolean' } }, true);
}

function components(values: unknown): ComponentId[] | undefined {
  const list = values as string[] | undefined;
  if (!list) return undefined;
  return list.map((c) => {
    const parsed = ComponentId.safeParse(c);
    if (!parsed.success) throw new UsageError(`--component must be one of ${ComponentId.options.join(', ')} (got '${c}')`);
    return parsed.data;
  });
}

export async function runLoadCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse('load', argv);
  if (values.force) throw new UsageError('--force is a flag of unload, not load');
  if (values.help) {
    process.stdout.write(`${LOAD_HELP}\n`);
    return EXIT_OK;
  }
  const keepAliveRaw = values['keep-alive'];
  let keepAlive: string | number | undefined;
  if (keepAliveRaw !== undefined) {
    keepAlive = /^-?\d+(\.\d+)?$/.test(keepAliveRaw) ? Number(keepAliveRaw) : keepAliveRaw;
    if (!KeepAlive.safeParse(keepAlive).success) throw new UsageError(`--keep-alive must be a duration like 30s, 5m, 1h, seconds, 0 or -1 (got '${keepAliveRaw}')`);
  }
  const comps = components(values.component);
  const { client } = await connectDaemon({ autoStart: true, name: 'framepack load' });
  try {
    const model = positionals[0] ?? (await client.call('models.list', {})).models.find((m) => m.available)?.name;
    if (!model) throw new Error('no model bundle is available; name one');
    const result = await client.call('models.load', { model, ...(comps ? { components: comps } : {}), ...(keepAlive !== undefined ? { keepAlive } : {}) }, { timeoutMs: 0 });
    if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else process.stdout.write(`${formatPs({ components: result.model.components.filter((c) => c.state !== 'unloaded'), memory: null })}\n`);
    return EXIT_OK;
  } finally {
    client.close();
  }
}

export async function runUnloadCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse('unload', argv);
  if (values['keep-alive'] !== undefined) throw new UsageError('--keep-alive is a flag of load, not unload');
  if (values.help) {
    process.stdout.write(`${LOAD_HELP}\n`);
    return EXIT_OK;
  }
  const comps = components(values.component);
  let conn;
  try {
    conn = await connectDaemon({ autoStart: false, name: 'framepack unload' });
  } catch (err: unknown) {
    process.stderr.write(`framepack: ${(err as Error).message}\n`);
    return EXIT_FAILURE;
  }
  try {
    const result = await conn.client.call('models.unload', { ...(positionals[0] ? { model: positionals[0] } : {}), ...(comps ? { components: comps } : {}), force: values.force === true });
    if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else process.stdout.write(`${formatPs(await conn.client.call('ps', {}))}\n`);
    return EXIT_OK;
  } finally {
    conn.client.close();
  }
}
