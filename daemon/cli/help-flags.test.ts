// generate's and plan's --help name every flag their parser accepts, and no flag it does not: a flag
// added to the option table without a help line (or a help line left after a flag went) fails here.
import { describe, expect, it } from 'vitest';
import { GENERATE_HELP } from './generate-command.js';
import { PLAN_HELP } from './plan-command.js';
import { ALL_JOB_OPTIONS, JOB_OPTIONS } from './job-args.js';
import { PRESETS_HELP } from './presets-command.js';

const accepted = Object.keys(ALL_JOB_OPTIONS).map((f) => `--${f}`).sort();
/** The `--flag` words of a help text (flag names only; `--cfg ≠ 1` counts as --cfg). */
const named = (help: string) => [...new Set(help.match(/(?<![\w-])--[a-z][a-z0-9-]*/g) ?? [])].sort();

/** Flags of other commands the help refers to (`jobs show ID --follow`, the daemon's settings). */
const OTHERS: Record<string, string[]> = { generate: ['--follow'], plan: ['--preserve-vram', '--device-memory'] };

describe('generate and plan --help against their parsers', () => {
  it.each([['generate', GENERATE_HELP], ['plan', PLAN_HELP]])('%s --help names every accepted flag and only those', (cmd, help) => {
    expect(accepted.filter((f) => !named(help).includes(f))).toEqual([]);
    expect(named(help).filter((f) => !accepted.includes(f) && !OTHERS[cmd]!.includes(f))).toEqual([]);
  });
});

describe('presets --help against its parser', () => {
  it('names every job flag presets save takes or refuses (-h aside)', () => {
    const presetFlags = [...Object.keys(JOB_OPTIONS), 'out'].filter((f) => f !== 'help').map((f) => `--${f}`);
    expect(presetFlags.filter((f) => !named(PRESETS_HELP).includes(f))).toEqual([]);
    expect(named(PRESETS_HELP).filter((f) => !presetFlags.includes(f) && f !== '--help')).toEqual([]); // 'generate --help'
  });
});
