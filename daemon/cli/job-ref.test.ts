// Job references: full id, unique prefix, `last`; ambiguous prefixes name the candidates (issue 16 item 11).
import { describe, expect, it } from 'vitest';
import type { Job } from '../../shared/protocol/index.js';
import { UsageError } from './errors.js';
import { JobNotFoundError, matchJobRef } from './job-ref.js';

const job = (id: string, createdAt: string): Job => ({ id, createdAt, state: 'succeeded' }) as unknown as Job;
const jobs = [job('mx9bo7ms-aaaa', '2026-01-01T10:00:00.000Z'), job('mx9bo7ms-bbbb', '2026-01-01T10:05:00.000Z'), job('qq1', '2026-01-01T09:00:00.000Z')];

describe('matchJobRef', () => {
  it('takes a full id, a unique prefix, or last (the newest by creation time)', () => {
    expect(matchJobRef(jobs, 'mx9bo7ms-aaaa').id).toBe('mx9bo7ms-aaaa');
    expect(matchJobRef(jobs, 'mx9bo7ms-b').id).toBe('mx9bo7ms-bbbb');
    expect(matchJobRef(jobs, 'q').id).toBe('qq1');
    expect(matchJobRef(jobs, 'last').id).toBe('mx9bo7ms-bbbb');
  });

  it('an exact id wins over being a prefix of a longer one', () => {
    expect(matchJobRef([job('ab', '2026-01-01T00:00:00Z'), job('abc', '2026-01-01T00:00:01Z')], 'ab').id).toBe('ab');
  });

  it('an ambiguous prefix is a usage error that lists the matches; no match is not-found', () => {
    expect(() => matchJobRef(jobs, 'mx9')).toThrow(UsageError);
    expect(() => matchJobRef(jobs, 'mx9')).toThrow(/prefix 'mx9' is ambiguous: it matches 2 jobs: mx9bo7ms-aaaa \(succeeded\), mx9bo7ms-bbbb/);
    expect(() => matchJobRef(jobs, 'zz')).toThrow(JobNotFoundError);
    expect(() => matchJobRef([], 'last')).toThrow(/no jobs yet/);
  });
});
