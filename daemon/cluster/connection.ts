// Connections to the shared queue's Redis. bullmq and ioredis are imported here, lazily, and only
// when `--queue` is used: a single-machine daemon or CLI never loads them (no import cost, no
// Redis needed). Every connection says when Redis goes away and when it is back (ioredis
// reconnects by itself, with the back-off below); commands issued meanwhile wait in ioredis's
// offline queue, so nothing is lost: a worker's progress and checkpoints reach Redis once it is back.
import type { Redis as RedisClient, RedisOptions } from 'ioredis';
import type { Logger } from '../log.js';
import type { QueueTarget } from './queue-url.js';

export type { RedisClient };

/** The BullMQ queue every framepack worker and submitter of one Redis database shares. */
export const QUEUE_NAME = 'framepack';
/** BullMQ's key prefix, and the prefix of our own keys (blobs, checkpoints) beside the queue's. */
export const KEY_PREFIX = 'fp';
/** The longest pause between reconnect attempts, ms. */
export const MAX_RECONNECT_DELAY_MS = 2_000;

export type Bull = typeof import('bullmq');

let bull: Promise<Bull> | null = null;
/** bullmq, imported on first use. */
export function loadBull(): Promise<Bull> {
  bull ??= import('bullmq');
  return bull;
}

export interface OpenOptions {
  /** Shown in logs and as the Redis CLIENT name (`framepack:worker:host:pid`). */
  name: string;
  log: Pick<Logger, 'info' | 'warn'>;
  /** Fail commands instead of waiting when Redis is down (listing); default: wait (workers, --wait). */
  failFast?: boolean;
}

/** An ioredis client for `target`, logging unreachable/reconnected once per outage. */
export async function openRedis(target: QueueTarget, o: OpenOptions): Promise<RedisClient> {
  const { Redis } = await import('ioredis');
  const options: RedisOptions = {
    connectionName: o.name.replace(/\s+/g, '_'),
    // BullMQ's workers need null (blocking commands retry forever); a submitter waits for Redis too.
    maxRetriesPerRequest: o.failFast ? 1 : null,
    enableOfflineQueue: !o.failFast,
    connectTimeout: 5_000,
    // Fail fast: one try, then the reason; else retry for ever, backing off.
    retryStrategy: (times) => (o.failFast ? null : Math.min(100 * times, MAX_RECONNECT_DELAY_MS)),
    ...(o.failFast ? { lazyConnect: true } : {}),
  };
  const client = 'url' in target.redis ? new Redis(target.redis.url, options) : new Redis({ ...options, path: target.redis.path, db: target.redis.db });
  let down: string | null = null;
  client.on('error', (err: Error) => {
    const why = err.message.split('\n')[0]!;
    if (o.failFast) {
      down = why;
      return;
    }
    if (down === null) o.log.warn(`redis at ${target.display} unreachable (${why}); reconnecting`, { queue: target.display, error: why });
    down = why;
  });
  client.on('ready', () => {
    if (down !== null) o.log.info(`redis at ${target.display} is back; reconnected`, { queue: target.display });
    down = null;
  });
  if (o.failFast) {
    try {
      await client.connect();
    } catch (err: unknown) {
      client.disconnect();
      // ioredis rejects with "Connection is closed"; the error event had the reason (ECONNREFUSED, WRONGPASS, TLS).
      throw new Error(`cannot reach the queue's redis at ${target.display}: ${down ?? (err as Error).message.split('\n')[0]}`);
    }
  }
  return client;
}

/** BullMQ's connection options for our client (it duplicates it for blocking commands). */
export function bullConnection(client: RedisClient): { connection: RedisClient; prefix: string } {
  return { connection: client, prefix: KEY_PREFIX };
}

/** Our own keys beside BullMQ's: `fp:framepack:<kind>:<id>…`. */
export function ownKey(...parts: (string | number)[]): string {
  return [KEY_PREFIX, QUEUE_NAME, ...parts].join(':');
}
