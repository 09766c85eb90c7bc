// Every installed bundle's integrity (the default bundle included): manifest valid, every listed
// file present at its exact size and sha256 (cached hashes are reused unless `full`).
import type { VerifyMode } from '../models/bundle/load-bundle.js';
import { listInstalled, verifyInstalled, type InstalledBundle } from '../models/manage/models-dir.js';
import { fail, ok, warn, type Check } from './check.js';

const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;

export async function bundleChecks(opts: { env?: NodeJS.ProcessEnv; verify?: VerifyMode; installed?: InstalledBundle[] } = {}): Promise<Check[]> {
  const installed = opts.installed ?? (await listInstalled(opts.env));
  const checks: Check[] = [];
  if (installed.length === 0) {
    return [fail('bundles', 'no model bundles installed (not even the default framepack-tiny)', 'restore models/framepack-tiny (`npm run make-default-bundle`) or `framepack models import --from DIR`')];
  }
  for (const b of installed) {
    const id = `bundle.${b.name}`;
    if (b.shadowed) {
      checks.push(ok(`${id}.shadowed`, `${b.dir} is hidden by a bundle of the same name earlier in the search path`, { dir: b.dir }));
      continue;
    }
    const fix = b.isDefault
      ? 'rebuild the default bundle with `npm run make-default-bundle` (or restore it from git)'
      : `re-import or re-pull it (\`framepack models rm ${b.name}\` first), then \`framepack models verify ${b.name}\``;
    if (b.error) { checks.push(fail(id, `${b.dir}: ${b.error}`, fix, { dir: b.dir })); continue; }
    const r = await verifyInstalled(b.dir, opts.verify ?? 'cached');
    const details = { dir: b.dir, listedBytes: b.listedBytes, diskBytes: b.diskBytes, isDefault: b.isDefault };
    if (!r.ok) { checks.push(fail(id, `${b.name}: ${r.code}: ${r.message}`, fix, { ...details, code: r.code, file: r.file })); continue; }
    const v = r.bundle.verification;
    const extra = b.diskBytes - (b.listedBytes ?? 0);
    const finding = `${b.name}${b.isDefault ? ' (default)' : ''}: ${v.filesChecked} files, ${mb(b.listedBytes ?? 0)} verified (${v.filesHashed} hashed, ${v.filesFromCache} from cache)`;
    if (extra > 1e6) checks.push(warn(id, `${finding}; ${mb(extra)} of unlisted files in the folder`, `remove files the manifest does not list from ${b.dir}`, { ...details, verification: v }));
    else checks.push(ok(id, finding, { ...details, verification: v }));
  }
  return checks;
}
