// The shared queue's address, as `--queue`, FRAMEPACK_QUEUE and the `queue` setting give it:
// redis://[user:password@]host[:port][/db] (plain TCP), rediss://… (TLS, verified against the
// system CAs as ioredis does), or unix:///path/to/redis.sock[?db=N] (a local socket). Parsed here
// (pure), before bullmq or ioredis is loaded, so a bad URL is a usage error at once; `display` is
// what logs, `ps`, `doctor` and the dashboard show: never the password.

export interface QueueTarget {
  /** ioredis options: `url` for redis/rediss (ioredis parses user, password, db, TLS), `path` + `db` for a socket. */
  redis: { url: string } | { path: string; db: number };
  /** The address with any password replaced by `***`. */
  display: string;
  tls: boolean;
}

export class QueueUrlError extends Error {
  override readonly name = 'QueueUrlError';
}

export function parseQueueUrl(text: string): QueueTarget {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new QueueUrlError(`--queue must be a URL like redis://host:6379/0, rediss://user:password@host:6380/0 or unix:///run/redis.sock (got ${JSON.stringify(text)})`);
  }
  const db = (v: string | null, where: string): number => {
    if (v === null || v === '') return 0;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 15_999) throw new QueueUrlError(`--queue: the database ${where} must be a non-negative integer (got ${JSON.stringify(v)})`);
    return n;
  };
  if (u.protocol === 'unix:' || u.protocol === 'redis+unix:') {
    if (!u.pathname || u.pathname === '/') throw new QueueUrlError('--queue unix:///path/to/redis.sock needs the socket path');
    return { redis: { path: decodeURIComponent(u.pathname), db: db(u.searchParams.get('db'), '(?db=N)') }, display: `unix://${u.pathname}${u.search}`, tls: false };
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new QueueUrlError(`--queue ${JSON.stringify(redact(u))} is not a Redis URL; use redis://host:6379/0, rediss://… (TLS) or unix:///path/to/redis.sock`);
  }
  if (!u.hostname) throw new QueueUrlError(`--queue ${JSON.stringify(redact(u))}: the host is missing`);
  db(u.pathname.replace(/^\//, ''), 'after the host (/N)');
  return { redis: { url: text }, display: redact(u), tls: u.protocol === 'rediss:' };
}

function redact(u: URL): string {
  const c = new URL(u.href);
  if (c.password) c.password = '***';
  return c.href.replace(/\/$/, '');
}

/** A URL to show (the password redacted), or the text unchanged when it is not a URL. */
export function displayQueue(text: string): string {
  try {
    return parseQueueUrl(text).display;
  } catch {
    return text;
  }
}
