// `framepack presets ls [--json] | save NAME [job flags] | rm NAME`: named sets of job parameters
// (shared/settings/presets.ts, presets.json beside config.json), applied with
// `generate --preset NAME` / `plan --preset NAME` under the flags given there. A bad name, key
// or value is one line and exit 2, and nothing is written.
import { parseSeedFlag } from './seed-flag.js';
import { presetsFile, presetSummary, readPresets, removePreset, savePreset } from '../../shared/settings/presets.js';
import { SettingsError } from '../../shared/settings/user-settings.js';
import { parseFlags } from './args.js';
import { EXIT_OK, UsageError } from './errors.js';
import { JOB_OPTIONS, parseNumberFlag, type ParsedValues } from './job-args.js';
import { promptFromFile } from './directing-flags.js';

export const PRESETS_HELP = `Usage: framepack presets ls [--json]
       framepack presets save NAME [job flags]
       framepack presets rm NAME

A preset is a named set of job parameters, applied with \`framepack generate --preset NAME\` (or
plan): the preset sits under the flags you give (flags win) and over the defaults.* settings.
As in FramePack-Studio it may hold the prompt; never the start image or the output path.
The dashboard's new-job form loads one with Ctrl+L and saves the form as one with Ctrl+K.

  ls                      list the saved presets, one a line (--json: one object by name)
  save NAME [flags]       save the given flags as NAME (replacing a preset of that name);
                          flags: --prompt --negative --seconds --seed --steps --gs --cfg --rs
                          --window --shift --sampler --mode --teacache/--no-teacache
                          --teacache-threshold --cache --magcache-threshold
                          --magcache-max-skips --magcache-retention --crf --model
                          --resolution --prompt-blend --end-strength
                          --prompt-file (its text is saved as the prompt)
                          (as generate --help describes); files are refused: --image,
                          --lora, --end-image, --keyframe, --extend, --extend-job, --from;
                          so are -o/--out, --extend-context and --preset
  rm NAME                 delete a preset
  --json                  machine-readable output

Stored in ${'$'}XDG_CONFIG_HOME/framepack/presets.json (${'$'}FRAMEPACK_CONFIG_DIR overrides).`;

const NUMBER_KEYS = ['seconds', 'seed', 'steps', 'gs', 'cfg', 'rs', 'window', 'shift', 'teacache-threshold', 'magcache-threshold', 'magcache-max-skips', 'magcache-retention', 'crf', 'resolution', 'prompt-blend', 'end-strength'] as const;
/** Flags naming files on this machine: a preset holds values only (flag → what to do instead). */
const FILE_FLAGS: Readonly<Record<string, string>> = {
  lora: 'a preset holds no LoRAs (they are files on this machine); give --lora to generate',
  'end-image': 'a preset holds no end image (a file on this machine); give --end-image to generate (--end-strength is kept)',
  keyframe: 'a preset holds no keyframes (files on this machine); give --keyframe to generate',
  extend: 'a preset holds no video to extend (a file); give --extend to generate',
  'extend-job': 'a preset holds no job to extend; give --extend-job to generate',
  'extend-context': 'a preset holds no extension options; give --extend-context to generate with --extend',
  from: 'a preset is saved from flags, not from a sidecar; give the parameters as flags',
};
const TEXT_KEYS = ['prompt', 'negative', 'sampler', 'mode', 'cache', 'model'] as const;

/** Parsed flags → preset values (numbers read strictly; ranges are checked by the preset schema). */
export function presetValuesFromFlags(v: ParsedValues): Record<string, unknown> {
  if (typeof v.image === 'string') throw new UsageError('presets save: a preset never holds the start image; give --image to generate');
  if (typeof v.out === 'string') throw new UsageError('presets save: a preset never holds the output path (a second job would replace the first video); give -o to generate');
  if (typeof v.preset === 'string') throw new UsageError('presets save: --preset applies a preset to generate or plan; give the parameters as flags');
  for (const [flag, why] of Object.entries(FILE_FLAGS)) if (v[flag] !== undefined) throw new UsageError(`presets save: ${why}`);
  if (v.teacache === true && v['no-teacache'] === true) throw new UsageError('--teacache and --no-teacache contradict each other');
  const out: Record<string, unknown> = {};
  // --seed as generate reads it (seed-flag.ts: torch's range, the same noise), so a preset takes what generate takes.
  for (const k of NUMBER_KEYS) if (typeof v[k] === 'string') out[k] = k === 'seed' ? parseSeedFlag(v[k]) : parseNumberFlag(`--${k}`, v[k]);
  for (const k of TEXT_KEYS) if (typeof v[k] === 'string') out[k] = v[k];
  // --prompt-file: the preset keeps the prompt it holds (the text, not the file).
  const fromFile = promptFromFile(v);
  if (fromFile !== undefined) out.prompt = fromFile;
  if (v.teacache === true) out.teacache = true;
  if (v['no-teacache'] === true) out.teacache = false;
  return out;
}

export async function runPresetsCommand(argv: string[], out: (s: string) => void = (s) => process.stdout.write(`${s}\n`)): Promise<number> {
  const { values, positionals } = parseFlags('presets', argv, { ...JOB_OPTIONS, out: { type: 'string', short: 'o' } }, true);
  if (values.help) return (out(PRESETS_HELP), EXIT_OK);
  const [action, name, ...extra] = positionals;
  if (action === undefined) throw new UsageError('presets needs an action: ls, save or rm (framepack presets --help)');
  if (extra.length) throw new UsageError(`presets ${action}: unexpected argument '${extra[0]}' (quote a prompt: --prompt "…")`);
  try {
    switch (action) {
      case 'ls':
      case 'list': {
        if (name !== undefined) throw new UsageError('usage: framepack presets ls [--json]');
        const all = readPresets();
        if (values.json) out(JSON.stringify(all));
        else {
          const names = Object.keys(all);
          const w = Math.max(0, ...names.map((n) => n.length));
          out(names.length ? names.map((n) => `${n.padEnd(w)}  ${presetSummary(all[n]!)}`).join('\n') : `(no presets; framepack presets save NAME [flags] writes ${presetsFile()})`);
        }
        return EXIT_OK;
      }
      case 'save': {
        if (name === undefined) throw new UsageError('usage: framepack presets save NAME [job flags]');
        const { preset, replaced } = savePreset(name, presetValuesFromFlags(values));
        out(values.json ? JSON.stringify({ [name]: preset }) : `${replaced ? 'replaced' : 'saved'} preset ${name}: ${presetSummary(preset)}`);
        return EXIT_OK;
      }
      case 'rm':
      case 'remove': {
        if (name === undefined) throw new UsageError('usage: framepack presets rm NAME');
        removePreset(name);
        if (!values.json) out(`removed preset ${name}`);
        return EXIT_OK;
      }
      default:
        throw new UsageError(`presets: unknown action '${action}' (ls, save, rm)`);
    }
  } catch (err: unknown) {
    if (err instanceof SettingsError) throw new UsageError(`presets: ${err.message}`);
    throw err;
  }
}
