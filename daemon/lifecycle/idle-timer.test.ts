import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock.js';
import { IdleTimer } from './idle-timer.js';

describe('IdleTimer', () => {
  it('fires once after the timeout when nothing is busy', () => {
    const clock = new FakeClock();
    let fired = 0;
    new IdleTimer(clock, 1_000, () => fired++);
    clock.advance(999);
    expect(fired).toBe(0);
    clock.advance(10_000);
    expect(fired).toBe(1);
  });

  it('is suspended while a reason is busy and restarts the countdown when all are free', () => {
    const clock = new FakeClock();
    let fired = 0;
    const t = new IdleTimer(clock, 1_000, () => fired++);
    t.set('job', true);
    t.set('client:c1', true);
    clock.advance(5_000);
    t.set('job', false);
    clock.advance(5_000);
    expect(fired).toBe(0);
    t.set('client:c1', false);
    clock.advance(999);
    expect(fired).toBe(0);
    clock.advance(1);
    expect(fired).toBe(1);
  });

  it('never fires when the timeout is 0', () => {
    const clock = new FakeClock();
    let fired = 0;
    new IdleTimer(clock, 0, () => fired++);
    clock.advance(1e9);
    expect(fired).toBe(0);
    expect(clock.pending).toBe(0);
  });
});
