import { describe, expect, it } from 'vitest';
import { readFile, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openWeights, SafetensorsFile, writeSafetensors } from './safetensors.js';
import { fromFloat32, toFloat32 } from './float-convert.js';
import { testTempDir } from '../../test/helpers/temp-dir.js';
import { canListOpenFds, openFdsTo } from '../../test/helpers/open-fds.js';

const tmp = async () => testTempDir('fp-st-');
const f32 = (xs: number[]) => new Uint8Array(Float32Array.from(xs).buffer);

describe('safetensors', () => {
  it('round-trips fp32, fp16 and bf16 tensors with metadata', async () => {
    const file = path.join(await tmp(), 'a.safetensors');
    const values = [1, -2.5, 0.125, 3];
    await writeSafetensors(file, [
      { name: 'w32', dtype: 'float32', shape: [2, 2], read: () => f32(values) },
      { name: 'w16', dtype: 'float16', shape: [4], read: () => fromFloat32(Float32Array.from(values), 'float16') },
      { name: 'wbf', dtype: 'bfloat16', shape: [1, 4], read: () => fromFloat32(Float32Array.from(values), 'bfloat16') },
    ], { format: 'pt' });
    const st = await SafetensorsFile.open(file);
    expect(st.names()).toEqual(['w32', 'w16', 'wbf']);
    expect(st.metadata).toEqual({ format: 'pt' });
    expect(st.info('wbf')).toEqual({ dtype: 'bfloat16', shape: [1, 4], byteLength: 8 });
    for (const name of ['w32', 'w16', 'wbf']) {
      const t = await st.read(name);
      expect(Array.from(toFloat32(t.bytes, t.dtype))).toEqual(values);
    }
    await st.close();
  });

  it('writes the header the format defines (8-byte length, JSON, aligned data)', async () => {
    const file = path.join(await tmp(), 'h.safetensors');
    await writeSafetensors(file, [{ name: 'x', dtype: 'float32', shape: [1], read: () => f32([7]) }]);
    const bytes = await readFile(file);
    const n = Number(bytes.readBigUInt64LE(0));
    expect(n % 8).toBe(0);
    expect(JSON.parse(bytes.subarray(8, 8 + n).toString())).toEqual({ x: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } });
    expect(bytes.readFloatLE(8 + n)).toBe(7);
  });

  it('reads a sharded checkpoint through its index', async () => {
    const dir = await tmp();
    await writeSafetensors(path.join(dir, 'model-00001-of-00002.safetensors'), [{ name: 'a', dtype: 'float32', shape: [1], read: () => f32([1]) }]);
    await writeSafetensors(path.join(dir, 'model-00002-of-00002.safetensors'), [{ name: 'b', dtype: 'float32', shape: [1], read: () => f32([2]) }]);
    await writeFile(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({
      weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors' },
    }));
    const w = await openWeights(dir);
    expect(w.names().sort()).toEqual(['a', 'b']);
    expect(toFloat32((await w.read('b')).bytes, 'float32')[0]).toBe(2);
    await w.close();
  });

  it('refuses a truncated file naming the tensor that no longer fits', async () => {
    const file = path.join(await tmp(), 't.safetensors');
    await writeSafetensors(file, [
      { name: 'first', dtype: 'float32', shape: [2], read: () => f32([1, 2]) },
      { name: 'second', dtype: 'float32', shape: [2], read: () => f32([3, 4]) },
    ]);
    const { size } = await import('node:fs/promises').then((fs) => fs.stat(file));
    await truncate(file, size - 4);
    await expect(SafetensorsFile.open(file)).rejects.toThrow(/tensor 'second' offsets \[8, 16\] do not fit its shape or the file \(truncated\?\)/);
  });

  it('refuses garbage and an unknown dtype with a clear message', async () => {
    const dir = await tmp();
    await writeFile(path.join(dir, 'g.safetensors'), 'hello');
    await expect(SafetensorsFile.open(path.join(dir, 'g.safetensors'))).rejects.toThrow(/not a valid safetensors file/);
    const header = Buffer.from(JSON.stringify({ x: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }));
    const len = Buffer.alloc(8); len.writeBigUInt64LE(BigInt(header.length));
    await writeFile(path.join(dir, 'd.safetensors'), Buffer.concat([len, header, Buffer.alloc(1)]));
    await expect(SafetensorsFile.open(path.join(dir, 'd.safetensors'))).rejects.toThrow(/unsupported dtype F8_E4M3/);
  });

  it('streams: produces each tensor only when it is written', async () => {
    const file = path.join(await tmp(), 's.safetensors');
    const order: string[] = [];
    await writeSafetensors(file, ['a', 'b', 'c'].map((name) => ({
      name, dtype: 'float32' as const, shape: [1], read: () => { order.push(name); return f32([1]); },
    })));
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('rejects, never hangs, when the file cannot be opened (small and large writes)', async () => {
    const missing = path.join(await tmp(), 'no-such-folder', 'w.safetensors');
    for (const elements of [1, 1 << 20]) {
      const write = writeSafetensors(missing, [{ name: 'w', dtype: 'float32', shape: [elements], read: () => new Uint8Array(4 * elements) }]);
      await expect(write).rejects.toThrow(/ENOENT/);
    }
  });

  it.runIf(canListOpenFds)('a refused sharded checkpoint closes the shards it had opened', async () => {
    const one = (name: string) => [{ name, dtype: 'float32' as const, shape: [1], read: () => f32([1]) }];
    // A folder where one part is garbage: the good part was opened beside it.
    const broken = await tmp();
    await writeSafetensors(path.join(broken, 'a.safetensors'), one('a'));
    await writeFile(path.join(broken, 'b.safetensors'), 'hello');
    await expect(openWeights(broken)).rejects.toThrow(/b\.safetensors: not a valid safetensors file/);
    // A folder where two parts hold the same tensor.
    const dup = await tmp();
    await writeSafetensors(path.join(dup, 'a.safetensors'), one('x'));
    await writeSafetensors(path.join(dup, 'b.safetensors'), one('x'));
    await expect(openWeights(dup)).rejects.toThrow(/tensor 'x' appears in both/);
    // An index naming a tensor no shard has.
    const idx = await tmp();
    await writeSafetensors(path.join(idx, 'm-1.safetensors'), one('a'));
    await writeFile(path.join(idx, 'm.safetensors.index.json'), JSON.stringify({ weight_map: { a: 'm-1.safetensors', gone: 'm-1.safetensors' } }));
    await expect(openWeights(idx)).rejects.toThrow(/1 tensor\(s\) listed in the index are missing/);
    expect(await openFdsTo([path.join(broken, 'a.safetensors'), path.join(dup, 'a.safetensors'), path.join(dup, 'b.safetensors'), path.join(idx, 'm-1.safetensors')])).toEqual([]);
  });
});
