// Writes docs/protocol.schema.json: a JSON Schema (draft 2020-12) of every frame, every method's
// params (as a client may send them, defaults optional) and result, every event payload and the
// subscription snapshot, generated from the zod table so it can never drift. For tool authors in
// other languages. Run with `npm run protocol-schema`; `--check` fails when the file is stale.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import {
  ClientFrame,
  ErrorCode,
  EVENT_NAMES,
  events,
  FRAME_DELIMITER,
  MAX_FRAME_BYTES,
  METHOD_NAMES,
  methods,
  PROTOCOL_VERSION,
  ServerFrame,
  Snapshot,
  WireError,
  Job,
  ModelStatus,
  ComponentStatus,
  MemoryTelemetry,
  TimingSummary,
  QueueStatus,
} from '../shared/protocol/index.js';

type Json = Record<string, unknown>;

/**
 * Convert a set of named schemas in one pass, so shared shapes (Job, ModelStatus, …) become $defs
 * referenced by name instead of being inlined at every use. `io` picks the side: params are
 * documented as a client may send them (defaults optional), results and events as received.
 */
function convert(named: Record<string, z.ZodType>, io: 'input' | 'output', prefix: string): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id: `${prefix}${id}` });
  const out = z.toJSONSchema(registry, { io, target: 'draft-2020-12', unrepresentable: 'throw', uri: (id) => `#/$defs/${id}` });
  const defs: Record<string, Json> = {};
  for (const [id, schema] of Object.entries(out.schemas)) {
    const { $schema: _, $id: __, ...rest } = schema as Json;
    defs[id] = rest;
  }
  return defs;
}

const ref = (id: string) => ({ $ref: `#/$defs/${id}` });

/** The whole protocol as one JSON Schema document. */
export function buildProtocolSchema(): Json {
  const input = convert(
    { ClientFrame, ...Object.fromEntries(METHOD_NAMES.map((m) => [`${m}.params`, methods[m].params])) },
    'input',
    'in.',
  );
  const output = convert(
    {
      ServerFrame,
      WireError,
      Snapshot,
      Job,
      ModelStatus,
      ComponentStatus,
      MemoryTelemetry,
      TimingSummary,
      QueueStatus,
      ...Object.fromEntries(METHOD_NAMES.map((m) => [`${m}.result`, methods[m].result])),
      ...Object.fromEntries(EVENT_NAMES.map((e) => [`${e}.payload`, events[e].payload])),
    },
    'output',
    'out.',
  );
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://framepack.local/protocol/v${PROTOCOL_VERSION}.schema.json`,
    title: `FramePack daemon protocol v${PROTOCOL_VERSION}`,
    description: `Frames are UTF-8 JSON objects {"type","data"} each followed by ${JSON.stringify(FRAME_DELIMITER)} (0x0C), at most ${MAX_FRAME_BYTES} bytes. See docs/protocol.md. "in." definitions describe what a client sends (defaults optional), "out." what the daemon sends.`,
    protocolVersion: PROTOCOL_VERSION,
    errorCodes: ErrorCode.options,
    frames: { clientToDaemon: ref('in.ClientFrame'), daemonToClient: ref('out.ServerFrame') },
    methods: Object.fromEntries(METHOD_NAMES.map((m) => [m, { params: ref(`in.${m}.params`), result: ref(`out.${m}.result`) }])),
    events: Object.fromEntries(EVENT_NAMES.map((e) => [e, { topic: events[e].topic, payload: ref(`out.${e}.payload`) }])),
    $defs: { ...input, ...output },
  };
}

export const SCHEMA_PATH = path.resolve(import.meta.dirname, '../docs/protocol.schema.json');

if (import.meta.url === `file://${process.argv[1]}`) {
  const text = `${JSON.stringify(buildProtocolSchema(), null, 2)}\n`;
  if (process.argv.includes('--check')) {
    const current = await readFile(SCHEMA_PATH, 'utf8').catch(() => '');
    if (current !== text) {
      console.error(`${path.relative(process.cwd(), SCHEMA_PATH)} is stale; run npm run protocol-schema`);
      process.exit(1);
    }
    console.log('protocol schema up to date');
  } else {
    await writeFile(SCHEMA_PATH, text);
    console.log(`wrote ${path.relative(process.cwd(), SCHEMA_PATH)} (${METHOD_NAMES.length} methods, ${EVENT_NAMES.length} events)`);
  }
}
