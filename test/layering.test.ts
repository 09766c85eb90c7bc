import { describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findLayeringViolations } from '../scripts/check-layering.js';
import { testTempDir } from './helpers/temp-dir.js';

describe('layering', () => {
  it('the repository has no daemon↔tui imports', async () => {
    expect(await findLayeringViolations()).toEqual([]);
  });

  it('catches daemon/ importing tui/ and shared/ importing daemon/', async () => {
    const dir = testTempDir('fp-layers-');
    await mkdir(path.join(dir, 'daemon'), { recursive: true });
    await mkdir(path.join(dir, 'shared'), { recursive: true });
    await mkdir(path.join(dir, 'tui'), { recursive: true });
    await writeFile(path.join(dir, 'daemon', 'a.ts'), "import { x } from '../tui/b.js';\n");
    await writeFile(path.join(dir, 'shared', 'c.ts'), "export * from '../daemon/a.js';\n");
    await writeFile(path.join(dir, 'tui', 'b.ts'), "const m = await import('../daemon/a.js');\n");
    const v = await findLayeringViolations(dir);
    expect(v).toHaveLength(3);
    expect(v.join('\n')).toContain('daemon/a.ts imports \'../tui/b.js\'');
  });
});
