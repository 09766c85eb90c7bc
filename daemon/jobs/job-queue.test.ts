import { describe, expect, it } from 'vitest';
import { JobQueue } from './job-queue.js';

describe('JobQueue', () => {
  it('runs jobs first in, first out, one at a time', () => {
    const q = new JobQueue(10);
    expect(q.enqueue('a')).toBe(0);
    expect(q.enqueue('b')).toBe(1);
    expect(q.take()).toBe('a');
    expect(q.take()).toBeNull(); // one running at a time
    expect(q.position('b')).toBe(0);
    q.finish('a');
    expect(q.take()).toBe('b');
    expect(q.status()).toEqual({ paused: false, queued: 0, running: 'b', limit: 10 });
  });

  it('puts front-of-queue jobs first', () => {
    const q = new JobQueue(10);
    q.enqueue('a');
    expect(q.enqueue('urgent', true)).toBe(0);
    expect(q.order).toEqual(['urgent', 'a']);
  });

  it('answers QUEUE_FULL beyond the limit (the running job does not count)', () => {
    const q = new JobQueue(2);
    q.enqueue('a');
    q.take();
    q.enqueue('b');
    q.enqueue('c');
    expect(() => q.enqueue('d')).toThrow(expect.objectContaining({ code: 'QUEUE_FULL', retryable: true }));
  });

  it('pause stops new jobs from starting; resume lets them', () => {
    const q = new JobQueue(5);
    q.enqueue('a');
    q.pause();
    expect(q.take()).toBeNull();
    expect(q.status().paused).toBe(true);
    q.resume();
    expect(q.take()).toBe('a');
  });

  it('removes waiting jobs and requeues a stopped one at the front', () => {
    const q = new JobQueue(5);
    q.enqueue('a');
    q.enqueue('b');
    q.enqueue('c');
    expect(q.remove('b')).toBe(true);
    expect(q.remove('zzz')).toBe(false);
    expect(q.take()).toBe('a');
    q.requeueFront('a');
    expect(q.running).toBeNull();
    expect(q.order).toEqual(['a', 'c']);
  });

  it('moves a waiting job to the front, the back or a position, and not a running one', () => {
    const q = new JobQueue(10);
    for (const id of ['a', 'b', 'c', 'd']) q.enqueue(id);
    expect(q.take()).toBe('a');
    expect(q.move('d', 'front')).toBe(0);
    expect(q.order).toEqual(['d', 'b', 'c']);
    expect(q.move('d', 'back')).toBe(2);
    expect(q.order).toEqual(['b', 'c', 'd']);
    expect(q.move('b', 1)).toBe(1);
    expect(q.order).toEqual(['c', 'b', 'd']);
    expect(q.move('c', 99)).toBe(2); // past the end = last
    expect(q.order).toEqual(['b', 'd', 'c']);
    expect(q.move('a', 'front')).toBeNull(); // running
    expect(q.move('zz', 0)).toBeNull();
    expect(q.order).toEqual(['b', 'd', 'c']);
  });
});
