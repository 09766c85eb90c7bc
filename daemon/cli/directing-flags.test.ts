import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { directingInputFromFlags, parseKeyframeFlag, promptFromFile } from './directing-flags.js';
import { jobInputFromFlags } from './job-args.js';
import { testTempDir } from '../../test/helpers/temp-dir.js';

describe('directing flags', () => {
  it('reads --keyframe SECONDS=PATH (repeatable), --end-image, --end-strength and --prompt-blend', () => {
    expect(parseKeyframeFlag('2.5=pose.png')).toEqual({ seconds: 2.5, imagePath: 'pose.png' });
    expect(parseKeyframeFlag('3s=a=b.png')).toEqual({ seconds: 3, imagePath: 'a=b.png' });
    expect(() => parseKeyframeFlag('pose.png')).toThrow('--keyframe must be SECONDS=PATH');
    expect(directingInputFromFlags({ keyframe: ['1=a.png', '2=b.png'], 'end-image': 'e.png', 'end-strength': '0.25', 'prompt-blend': '2' })).toEqual({
      endImagePath: 'e.png', endStrength: 0.25, promptBlend: 2, keyframes: [{ seconds: 1, imagePath: 'a.png' }, { seconds: 2, imagePath: 'b.png' }],
    });
    expect(() => directingInputFromFlags({ 'end-strength': 'strong' })).toThrow('--end-strength must be a number (got "strong")');
  });

  it('takes the prompt from --prompt-file, refusing it beside --prompt or unreadable', () => {
    const dir = testTempDir('fp-pf-');
    const file = path.join(dir, 'p.txt');
    writeFileSync(file, '[0s: a]\r\n[2s: b]\r\n');
    expect(jobInputFromFlags({ 'prompt-file': file }).prompt).toBe('[0s: a]\n[2s: b]');
    expect(() => promptFromFile({ 'prompt-file': file, prompt: 'x' })).toThrow('--prompt and --prompt-file contradict each other');
    expect(() => promptFromFile({ 'prompt-file': path.join(dir, 'none.txt') })).toThrow(/--prompt-file .*none\.txt: cannot read it \(ENOENT\)/);
  });
});
