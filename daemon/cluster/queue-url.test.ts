import { describe, expect, it } from 'vitest';
import { displayQueue, parseQueueUrl, QueueUrlError } from './queue-url.js';

describe('parseQueueUrl', () => {
  it('passes redis:// and rediss:// to ioredis and redacts the password for display', () => {
    const t = parseQueueUrl('rediss://worker:s3cret@redis.lan:6380/2');
    expect(t.redis).toEqual({ url: 'rediss://worker:s3cret@redis.lan:6380/2' });
    expect(t.tls).toBe(true);
    expect(t.display).toBe('rediss://worker:***@redis.lan:6380/2');
    expect(t.display).not.toContain('s3cret');
    expect(parseQueueUrl('redis://127.0.0.1:6379').display).toBe('redis://127.0.0.1:6379');
  });

  it('takes a unix socket with ?db=', () => {
    expect(parseQueueUrl('unix:///run/redis/redis.sock?db=3')).toEqual({ redis: { path: '/run/redis/redis.sock', db: 3 }, display: 'unix:///run/redis/redis.sock?db=3', tls: false });
  });

  it('refuses what is not a Redis URL, with the reason', () => {
    expect(() => parseQueueUrl('localhost:6379')).toThrow(QueueUrlError);
    expect(() => parseQueueUrl('http://x:1/0')).toThrow(/not a Redis URL/);
    expect(() => parseQueueUrl('redis://h:1/x')).toThrow(/database/);
    expect(() => parseQueueUrl('redis:///0')).toThrow(/host is missing/);
    expect(displayQueue('redis://:pw@h:1/0')).toBe('redis://:***@h:1/0');
  });
});
