// safetensors reading and writing. The format: 8-byte little-endian header length, a JSON header
// {name: {dtype, shape, data_offsets:[begin,end]}, __metadata__?}, then the tensor bytes.
// Reading opens the file once and reads each tensor on demand, so a 25 GB checkpoint never has to
// fit in memory; sharded checkpoints (`*.safetensors.index.json`) are read through one source.
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { WeightBytes, WeightDType, WeightInfo, WeightSource } from './weight-source.js';
import { weightBytesPerElement } from './weight-source.js';

const FROM_ST: Record<string, WeightDType> = {
  F32: 'float32', F16: 'float16', BF16: 'bfloat16', I64: 'int64', I32: 'int32', U8: 'uint8', BOOL: 'bool',
};
const TO_ST: Record<WeightDType, string> = {
  float32: 'F32', float16: 'F16', bfloat16: 'BF16', int64: 'I64', int32: 'I32', uint8: 'U8', bool: 'BOOL',
};
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

interface Entry extends WeightInfo { begin: number }

export class SafetensorsFile implements WeightSource {
  private constructor(
    readonly filePath: string,
    private readonly fh: FileHandle,
    private readonly entries: Map<string, Entry>,
    readonly metadata: Record<string, string>,
  ) {}

  static async open(filePath: string): Promise<SafetensorsFile> {
    const fh = await open(filePath, 'r');
    try {
      const { size } = await fh.stat();
      const fail = (why: string): never => { throw new Error(`${filePath}: not a valid safetensors file (${why})`); };
      if (size < 8) fail(`${size} bytes is too short`);
      const lenBuf = Buffer.alloc(8);
      await fh.read(lenBuf, 0, 8, 0);
      const headerLen = Number(lenBuf.readBigUInt64LE(0));
      if (headerLen > MAX_HEADER_BYTES || 8 + headerLen > size) fail(`header length ${headerLen} exceeds the file`);
      const headerBuf = Buffer.alloc(headerLen);
      await fh.read(headerBuf, 0, headerLen, 8);
      let header: Record<string, unknown>;
      try { header = JSON.parse(headerBuf.toString('utf8')) as Record<string, unknown>; } catch { return fail('header is not JSON'); }
      const dataStart = 8 + headerLen;
      const entries = new Map<string, Entry>();
      let metadata: Record<string, string> = {};
      for (const [name, raw] of Object.entries(header)) {
        if (name === '__metadata__') { metadata = (raw ?? {}) as Record<string, string>; continue; }
        const e = raw as { dtype?: string; shape?: number[]; data_offsets?: [number, number] };
        const dtype = e.dtype ? FROM_ST[e.dtype] : undefined;
        if (!dtype) fail(`tensor '${name}' has unsupported dtype ${e.dtype}`);
        const [b, end] = e.data_offsets ?? [NaN, NaN];
        const shape = e.shape ?? [];
        const byteLength = shape.reduce((a, d) => a * d, 1) * weightBytesPerElement[dtype!];
        if (!(end - b === byteLength) || dataStart + end > size) fail(`tensor '${name}' offsets [${b}, ${end}] do not fit its shape or the file (truncated?)`);
        entries.set(name, { dtype: dtype!, shape, byteLength, begin: dataStart + b });
      }
      return new SafetensorsFile(filePath, fh, entries, metadata);
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  names(): string[] { return [...this.entries.keys()]; }
  info(name: string): WeightInfo | undefined {
    const e = this.entries.get(name);
    return e && { dtype: e.dtype, shape: e.shape, byteLength: e.byteLength };
  }
  async read(name: string): Promise<WeightBytes> {
    const e = this.entries.get(name);
    if (!e) throw new Error(`${this.filePath}: no tensor named '${name}'`);
    const bytes = new Uint8Array(e.byteLength);
    let done = 0;
    while (done < e.byteLength) {
      const { bytesRead } = await this.fh.read(bytes, done, e.byteLength - done, e.begin + done);
      if (bytesRead === 0) throw new Error(`${this.filePath}: unexpected end of file reading '${name}'`);
      done += bytesRead;
    }
    return { dtype: e.dtype, shape: e.shape, bytes };
  }
  async close(): Promise<void> { await this.fh.close(); }
}

/** Several safetensors files seen as one source (sharded checkpoints, or a folder of parts). */
export class ShardedWeights implements WeightSource {
  private readonly owner = new Map<string, SafetensorsFile>();
  constructor(readonly files: SafetensorsFile[]) {
    for (const f of files) {
      for (const n of f.names()) {
        if (this.owner.has(n)) throw new Error(`tensor '${n}' appears in both ${this.owner.get(n)!.filePath} and ${f.filePath}`);
        this.owner.set(n, f);
      }
    }
  }
  names(): string[] { return [...this.owner.keys()]; }
  info(name: string): WeightInfo | undefined { return this.owner.get(name)?.info(name); }
  read(name: string): Promise<WeightBytes> {
    const f = this.owner.get(name);
    if (!f) return Promise.reject(new Error(`no tensor named '${name}' in ${this.files.length} shard(s)`));
    return f.read(name);
  }
  async close(): Promise<void> { await Promise.all(this.files.map((f) => f.close())); }
}

/**
 * Opens a checkpoint: a `.safetensors` file, a `*.safetensors.index.json` (Hugging Face shard
 * index), or a folder holding either.
 */
export async function openWeights(p: string): Promise<ShardedWeights> {
  const { stat, readdir } = await import('node:fs/promises');
  const st = await stat(p).catch(() => { throw new Error(`${p}: no such file or folder`); });
  if (st.isDirectory()) {
    const names = await readdir(p);
    const index = names.find((n) => n.endsWith('.safetensors.index.json'));
    if (index) return openWeights(path.join(p, index));
    const parts = names.filter((n) => n.endsWith('.safetensors')).sort();
    if (parts.length === 0) throw new Error(`${p}: no .safetensors files in this folder`);
    return await shardedOrClose(await openAll(parts.map((n) => path.join(p, n))));
  }
  if (p.endsWith('.index.json')) {
    const index = JSON.parse(await readFile(p, 'utf8')) as { weight_map?: Record<string, string> };
    if (!index.weight_map) throw new Error(`${p}: shard index has no weight_map`);
    const shards = [...new Set(Object.values(index.weight_map))].sort();
    const dir = path.dirname(p);
    const sharded = await shardedOrClose(await openAll(shards.map((s) => path.join(dir, s))));
    const missing = Object.keys(index.weight_map).filter((n) => !sharded.info(n));
    if (missing.length) {
      await sharded.close();
      throw new Error(`${p}: ${missing.length} tensor(s) listed in the index are missing from the shards, e.g. '${missing[0]}'`);
    }
    return sharded;
  }
  return new ShardedWeights([await SafetensorsFile.open(p)]);
}

/**
 * Opens every shard; if one fails the others are closed before the error is thrown (a bare
 * Promise.all would leave them to the garbage collector, which closes them with a DEP0137 warning).
 */
async function openAll(filePaths: string[]): Promise<SafetensorsFile[]> {
  const settled = await Promise.allSettled(filePaths.map((f) => SafetensorsFile.open(f)));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (!failed) return settled.map((r) => (r as PromiseFulfilledResult<SafetensorsFile>).value);
  await Promise.all(settled.map((r) => (r.status === 'fulfilled' ? r.value.close() : undefined)));
  throw failed.reason;
}

/** Builds the sharded view, closing the files if it refuses them (a tensor in two shards). */
async function shardedOrClose(files: SafetensorsFile[]): Promise<ShardedWeights> {
  try {
    return new ShardedWeights(files);
  } catch (err) {
    await Promise.all(files.map((f) => f.close()));
    throw err;
  }
}

export interface TensorToWrite { name: string; dtype: WeightDType; shape: number[]; read: () => Promise<Uint8Array> | Uint8Array }

/**
 * Writes a safetensors file, streaming: the header is computed from shapes first, then each
 * tensor's bytes are produced and written one at a time.
 */
export async function writeSafetensors(filePath: string, tensors: TensorToWrite[], metadata: Record<string, string> = {}): Promise<void> {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  const seen = new Set<string>();
  for (const t of tensors) {
    if (seen.has(t.name)) throw new Error(`duplicate tensor '${t.name}'`);
    seen.add(t.name);
    const len = t.shape.reduce((a, d) => a * d, 1) * weightBytesPerElement[t.dtype];
    header[t.name] = { dtype: TO_ST[t.dtype], shape: t.shape, data_offsets: [offset, offset + len] };
    offset += len;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8); // keep tensor data 8-byte aligned
  const jsonBytes = Buffer.from(json, 'utf8');
  const out = createWriteStream(filePath);
  const write = async (chunk: Uint8Array) => { if (!out.write(chunk)) await once(out, 'drain'); };
  try {
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(jsonBytes.length));
    await write(len);
    await write(jsonBytes);
    for (const t of tensors) {
      const bytes = await t.read();
      const expected = t.shape.reduce((a, d) => a * d, 1) * weightBytesPerElement[t.dtype];
      if (bytes.byteLength !== expected) throw new Error(`tensor '${t.name}': got ${bytes.byteLength} bytes, expected ${expected}`);
      await write(bytes);
    }
  } catch (e) {
    out.destroy();
    await finished(out).catch(() => {});
    throw e;
  }
  out.end();
  // finished() also settles for a stream that already closed (an open error, e.g. a missing folder,
  // closes it before we get here; waiting for 'close' then hung forever) and rejects with its error.
  await finished(out);
}
