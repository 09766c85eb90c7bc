import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildProtocolSchema, SCHEMA_PATH } from './protocol-schema.js';
import { METHOD_NAMES, EVENT_NAMES } from '../shared/protocol/index.js';

describe('protocol-schema', () => {
  const schema = buildProtocolSchema() as { methods: Record<string, { params: { $ref: string } }>; events: Record<string, unknown>; $defs: Record<string, unknown> };

  it('covers every method and event, and every $ref resolves', () => {
    expect(Object.keys(schema.methods)).toEqual(METHOD_NAMES);
    expect(Object.keys(schema.events)).toEqual(EVENT_NAMES);
    const refs = [...JSON.stringify(schema).matchAll(/"\$ref":"#\/\$defs\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(METHOD_NAMES.length * 2);
    for (const r of refs) expect(schema.$defs, r).toHaveProperty([r]);
  });

  it('docs/protocol.schema.json is up to date (run npm run protocol-schema)', () => {
    expect(readFileSync(SCHEMA_PATH, 'utf8')).toBe(`${JSON.stringify(schema, null, 2)}\n`);
  });
});
