// The Redis side of the shared queue against a real redis-server: chunked blobs (boundaries,
// damage, expiry of a chunk) and section checkpoints moved from one worker's job folder to
// another's, with their files.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStore, CHUNK_BYTES } from '../../daemon/cluster/blob-store.js';
import { CheckpointStore } from '../../daemon/cluster/checkpoint-store.js';
import { openRedis, ownKey, type RedisClient } from '../../daemon/cluster/connection.js';
import { parseQueueUrl } from '../../daemon/cluster/queue-url.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

let server: RedisServer;
let redis: RedisClient;
const quiet = { info: () => {}, warn: () => {} };

beforeAll(async () => {
  server = await startRedis();
  redis = await openRedis(parseQueueUrl(server.url), { name: 'test', log: quiet });
}, 30_000);

afterAll(async () => {
  redis?.disconnect();
  await server?.cleanup();
});

describe('blobs in redis', () => {
  it('round-trips bytes across chunk boundaries, and sees a missing or damaged chunk', async () => {
    const store = new BlobStore(redis);
    const data = Buffer.alloc(CHUNK_BYTES * 2 + 17);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >> 9)) & 255;
    const meta = await store.put('t:big', data);
    expect(meta.chunks).toBe(3);
    expect((await store.get('t:big'))!.equals(data)).toBe(true);
    expect((await store.get('t:none'))).toBeNull();
    await store.put('t:empty', new Uint8Array(0));
    expect((await store.get('t:empty'))!.length).toBe(0);
    await redis.set(ownKey('blob', 't:big', 1), Buffer.alloc(CHUNK_BYTES, 1));
    await expect(store.get('t:big')).rejects.toThrow(/damaged/);
    await redis.del(ownKey('blob', 't:big', 2));
    expect(await store.get('t:big')).toBeNull();
    await store.delete('t:big');
    expect(await redis.exists(ownKey('blob', 't:big', 'meta'), ownKey('blob', 't:big', 0))).toBe(0);
    expect(await redis.ttl(ownKey('blob', 't:empty', 0))).toBeGreaterThan(0);
    await expect(store.put('t:small', Buffer.alloc(10), 5)).rejects.toThrow(/over the limit/);
  });
});

describe('section checkpoints across workers', () => {
  it('moves a checkpoint and its files from one job folder to another, newest section only', async () => {
    const base = mkdtempSync(path.join(os.tmpdir(), 'fp-ckpt-'));
    try {
      const dirA = path.join(base, 'a', 'jobs', 'j1');
      const dirB = path.join(base, 'b', 'jobs', 'j1');
      mkdirSync(dirA, { recursive: true });
      const store = new CheckpointStore(redis);
      const record = (k: number) => ({
        sectionsDone: k, total: 3, partialPath: `/outputs/j1/partial-${k}.mp4`, frames: 33 * k, seconds: 1.1 * k, sectionSampleMs: [5, 6].slice(0, k),
        state: { resumable: true, pipeline: { historyFile: path.join(dirA, `checkpoint-${k}.history.f32`), pixelsFile: path.join(dirA, `checkpoint-${k}.pixels.f32`), noise: { k } } },
      });
      for (const k of [1, 2]) {
        writeFileSync(path.join(dirA, `checkpoint-${k}.history.f32`), Buffer.from(`history ${k}`));
        writeFileSync(path.join(dirA, `checkpoint-${k}.pixels.f32`), Buffer.from(`pixels ${k}`));
        expect(await store.save('j1', record(k), dirA, 'host-a:1')).toBe(`history ${k}pixels ${k}`.length);
      }
      const got = await store.restore('j1', dirB);
      expect(got!.from).toBe('host-a:1');
      const st = got!.checkpoint.state as { pipeline: { historyFile: string; pixelsFile: string; noise: unknown } };
      expect(st.pipeline.historyFile).toBe(path.join(dirB, 'checkpoint-2.history.f32'));
      expect(readFileSync(st.pipeline.historyFile, 'utf8')).toBe('history 2');
      expect(readFileSync(st.pipeline.pixelsFile, 'utf8')).toBe('pixels 2');
      expect(st.pipeline.noise).toEqual({ k: 2 });
      // The partial video is on the other worker's disk: not named.
      expect(got!.checkpoint.partialPath).toBeNull();
      expect(got!.checkpoint.frames).toBe(66);
      // Section 1's files went once section 2's were whole.
      expect(await redis.exists(ownKey('blob', 'checkpoint:j1:1:checkpoint-1.history.f32', 'meta'))).toBe(0);
      await store.drop('j1');
      expect(await store.restore('j1', dirB)).toBeNull();
      // Over the limit: not copied, and the previous checkpoint stays.
      const small = new CheckpointStore(redis, 4);
      expect(await small.save('j2', record(1), dirA, 'host-a:1')).toBeNull();
      expect(await small.restore('j2', dirB)).toBeNull();
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
