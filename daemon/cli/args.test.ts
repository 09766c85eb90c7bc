// Flag parsing with our own messages and "did you mean" suggestions (issue 16 items 1 and 13).
import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, parseFlags, suggest, wantsHelp } from './args.js';
import { UsageError } from './errors.js';

describe('typo suggestions', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('imgae', 'image')).toBe(1);
    expect(editDistance('jsno', 'json')).toBe(1);
    expect(editDistance('genrate', 'generate')).toBe(1);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('', 'ab')).toBe(2);
  });

  it('suggests the nearest command or flag, and nothing for unrelated words', () => {
    expect(suggest('genrate', ['generate', 'plan', 'jobs'])).toBe('generate');
    expect(suggest('--imgae', ['--image', '--prompt', '-h'])).toBe('--image');
    expect(suggest('--jsno', ['--json', '--state'])).toBe('--json');
    expect(suggest('xyzzy', ['generate', 'plan', 'jobs'])).toBeNull();
    // Short words get at most one edit: `ls` is not a typo of `rm`.
    expect(suggest('ls', ['rm'])).toBeNull();
    expect(didYouMean('strat', ['start', 'stop'])).toBe(' (did you mean start?)');
  });
});

describe('parseFlags', () => {
  const options = { json: { type: 'boolean' }, state: { type: 'string' } } as const;
  it('takes a negative number as an argument where arguments are allowed (`config set defaults.seed -1`)', () => {
    expect(parseFlags('config', ['set', 'defaults.gs', '-1.5', '--json'], options, true).positionals).toEqual(['set', 'defaults.gs', '-1.5']);
    expect(parseFlags('config', ['--state', '-2', '-3'], options, true)).toMatchObject({ values: { state: '-2' }, positionals: ['-3'] });
    // Still an unknown flag where no arguments are taken, and a word with a dash is still a flag.
    expect(message(['-1'])).toMatch(/^jobs: unknown flag -1/);
    expect(message(['-x'], true)).toMatch(/^jobs: unknown flag -x/);
  });

  const message = (argv: string[], positionals = false) => {
    try {
      parseFlags('jobs', argv, options, positionals);
    } catch (err: unknown) {
      expect(err).toBeInstanceOf(UsageError);
      return (err as Error).message;
    }
    throw new Error('no error');
  };

  it('rewrites the parser errors into one line of our own', () => {
    expect(message(['--jsno'])).toBe('jobs: unknown flag --jsno (did you mean --json?) (see framepack jobs --help)');
    expect(message(['--jsno=1'])).toMatch(/^jobs: unknown flag --jsno \(did you mean --json\?\)/);
    expect(message(['--state'])).toBe('jobs: --state needs a value');
    expect(message(['--json=yes'])).toBe('jobs: --json takes no value');
    expect(message(['extra'])).toBe("jobs: unexpected argument 'extra' (see framepack jobs --help)");
    for (const m of [message(['--jsno']), message(['--state'])]) expect(m).not.toMatch(/Unknown option|To specify a positional|argument missing/);
  });

  it('takes a negative number as a value, not as a forgotten one', () => {
    expect(parseFlags('jobs', ['--state', '-1'], options).values.state).toBe('-1');
    expect(parseFlags('jobs', ['--state', '-0.5e3', '--json'], options).values).toMatchObject({ state: '-0.5e3', json: true });
    // Not a number: still the missing value it most likely is.
    expect(message(['--state', '-x'])).toBe('jobs: --state needs a value');
    // After -- everything is positional, untouched.
    expect(parseFlags('jobs', ['--', '--state', '-1'], options, true).positionals).toEqual(['--state', '-1']);
  });

  it('always knows -h/--help', () => {
    expect(parseFlags('jobs', ['-h'], options).values.help).toBe(true);
    expect(parseFlags('jobs', ['x', '--help'], options, true).values.help).toBe(true);
  });

  it('wantsHelp stops at --', () => {
    expect(wantsHelp(['stop', '--help'])).toBe(true);
    expect(wantsHelp(['-h'])).toBe(true);
    expect(wantsHelp(['--', '--help'])).toBe(false);
    expect(wantsHelp(['--json'])).toBe(false);
  });
});
