import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { testTempDir } from '../../../test/helpers/temp-dir.js';
import { checkDirectingImages } from './directing-inputs.js';

describe('checkDirectingImages', () => {
  it('names the flag and the file once, then the problem', async () => {
    const dir = testTempDir('fp-directing-inputs-');
    const text = path.join(dir, 'end.png');
    await writeFile(text, 'not an image');
    const missing = path.join(dir, 'k.png');
    await expect(checkDirectingImages({ endImagePath: text })).rejects.toThrow(new RegExp(`^--end-image ${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: (?!input image)\\S`));
    const err = await checkDirectingImages({ keyframes: [{ seconds: 2.5, imagePath: missing }] }).then(() => null, (e: unknown) => e as Error);
    expect(err?.message).toMatch(new RegExp(`^--keyframe 2\\.5=${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    expect(err?.message.split(missing)).toHaveLength(2);
  });
});
