// `framepack config get KEY | set KEY VALUE | unset KEY | list [--json] | path`: the user settings
// (daemon/settings.ts). A bad key or value is one line and exit 2; the daemon reads the settings
// when it starts, so `daemon restart` applies daemon-side changes.
import { getSetting, parseSettingText, readSettings, SETTING_KEYS, setSetting, settingsFile, SettingsError, unsetSetting } from '../settings.js';
import { parseFlags } from './args.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from './errors.js';

export const CONFIG_HELP = `Usage: framepack config get KEY
       framepack config set KEY VALUE
       framepack config unset KEY
       framepack config list [--json]
       framepack config path

Settings live in $XDG_CONFIG_HOME/framepack/config.json ($FRAMEPACK_CONFIG_DIR overrides). The
daemon reads them when it starts (env and \`daemon run\` flags override them; run \`framepack daemon
restart\` after a change); generate and plan use the defaults.* keys under their own flags.

Keys:
${Object.entries(SETTING_KEYS).map(([k, v]) => `  ${k.padEnd(28)} ${v.description}`).join('\n')}`;

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

export async function runConfigCommand(argv: string[], out: (s: string) => void = (s) => process.stdout.write(`${s}\n`)): Promise<number> {
  const { values, positionals } = parseFlags('config', argv, { json: { type: 'boolean' } }, true);
  const [action, key, value, ...extra] = positionals;
  if (values.help) return (out(CONFIG_HELP), EXIT_OK);
  if (action === undefined) throw new UsageError('config needs an action: get, set, unset, list or path (framepack config --help)');
  try {
    switch (action) {
      case 'get': {
        if (key === undefined || value !== undefined) throw new UsageError('usage: framepack config get KEY');
        const v = getSetting(key);
        if (v === undefined) {
          if (values.json) out('null');
          else process.stderr.write(`${key} is not set\n`);
          return EXIT_FAILURE;
        }
        out(values.json ? JSON.stringify(v) : show(v));
        return EXIT_OK;
      }
      case 'set': {
        if (key === undefined || value === undefined || extra.length) throw new UsageError('usage: framepack config set KEY VALUE');
        const stored = await setSetting(key, parseSettingText(key, value));
        out(values.json ? JSON.stringify({ [key]: stored }) : `${key} = ${show(stored)}`);
        return EXIT_OK;
      }
      case 'unset':
        if (key === undefined || value !== undefined) throw new UsageError('usage: framepack config unset KEY');
        await unsetSetting(key);
        return EXIT_OK;
      case 'list': {
        const all = readSettings();
        out(values.json ? JSON.stringify(all) : Object.keys(all).length ? Object.entries(all).map(([k, v]) => `${k} = ${show(v)}`).join('\n') : '(no settings)');
        return EXIT_OK;
      }
      case 'path':
        out(settingsFile());
        return EXIT_OK;
      default:
        throw new UsageError(`config: unknown action '${action}' (get, set, unset, list, path)`);
    }
  } catch (err: unknown) {
    if (err instanceof SettingsError) throw new UsageError(`config: ${err.message}`);
    throw err;
  }
}
