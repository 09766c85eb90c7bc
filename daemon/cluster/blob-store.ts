// Bytes in Redis, in chunks: a job's start image, its section checkpoints and its finished MP4
// travel this way, so workers and submitters need no shared disk. A blob is `<name>:<i>` chunks of
// CHUNK_BYTES (small commands: Redis and ioredis never hold one huge reply, and other clients are
// served between chunks) and a `<name>:meta` record written LAST, so a reader never sees a blob a
// writer died in the middle of. Every key has a TTL: nothing is left behind in Redis forever.
import { createHash } from 'node:crypto';
import { ownKey, type RedisClient } from './connection.js';

export const CHUNK_BYTES = 1024 * 1024;
/** How long a blob stays in Redis, s (a week: a --detach'd job's video can be fetched later). */
export const BLOB_TTL_S = 7 * 24 * 3600;

export interface BlobMeta {
  bytes: number;
  chunks: number;
  sha256: string;
}

/** [start, end) byte ranges of the chunks of a blob of `bytes` bytes (one empty chunk for 0). */
export function chunkRanges(bytes: number, chunkBytes = CHUNK_BYTES): [number, number][] {
  if (bytes === 0) return [[0, 0]];
  const out: [number, number][] = [];
  for (let start = 0; start < bytes; start += chunkBytes) out.push([start, Math.min(bytes, start + chunkBytes)]);
  return out;
}

export class BlobTooLarge extends Error {
  override readonly name = 'BlobTooLarge';
}

export class BlobStore {
  constructor(private readonly redis: RedisClient, private readonly ttlS = BLOB_TTL_S) {}

  private key(name: string, part: string | number): string {
    return ownKey('blob', name, part);
  }

  async put(name: string, data: Uint8Array, maxBytes = Infinity): Promise<BlobMeta> {
    if (data.byteLength > maxBytes) throw new BlobTooLarge(`${data.byteLength} bytes is over the limit of ${maxBytes} bytes`);
    const ranges = chunkRanges(data.byteLength);
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    for (const [i, [start, end]] of ranges.entries()) await this.redis.set(this.key(name, i), buf.subarray(start, end), 'EX', this.ttlS);
    const meta: BlobMeta = { bytes: data.byteLength, chunks: ranges.length, sha256: createHash('sha256').update(buf).digest('hex') };
    await this.redis.set(this.key(name, 'meta'), JSON.stringify(meta), 'EX', this.ttlS);
    return meta;
  }

  async meta(name: string): Promise<BlobMeta | null> {
    const text = await this.redis.get(this.key(name, 'meta'));
    return text ? (JSON.parse(text) as BlobMeta) : null;
  }

  /** The blob's bytes, or null when there is none (expired, never written, or a chunk is gone); checked against its sha256. */
  async get(name: string): Promise<Buffer | null> {
    const meta = await this.meta(name);
    if (!meta) return null;
    const parts: Buffer[] = [];
    for (let i = 0; i < meta.chunks; i++) {
      const part = await this.redis.getBuffer(this.key(name, i));
      if (!part) return null;
      parts.push(part);
    }
    const data = Buffer.concat(parts);
    if (data.byteLength !== meta.bytes || createHash('sha256').update(data).digest('hex') !== meta.sha256) {
      throw new Error(`blob ${name} in redis is damaged (${data.byteLength} bytes, expected ${meta.bytes} with sha256 ${meta.sha256})`);
    }
    return data;
  }

  async delete(name: string): Promise<void> {
    const meta = await this.meta(name);
    // The meta first: a reader then sees no blob rather than a blob with missing chunks.
    await this.redis.del(this.key(name, 'meta'));
    const keys = Array.from({ length: meta?.chunks ?? 0 }, (_, i) => this.key(name, i));
    if (keys.length > 0) await this.redis.del(...keys);
  }
}
