import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileTempDir } from '../../test/helpers/temp-dir.js';
import { sidecarFlags } from './sidecar-flags.js';

const dir = fileTempDir('fp-sidecar-');
const parameters = {
  prompt: 'a red ball', negativePrompt: '', seconds: 2, seed: 7, steps: 3, gs: 10, cfg: 1, rs: 0, windowSize: 9, shift: null,
  sampler: 'euler', mode: 'f1', teacache: false, teacacheThreshold: 0.15, crf: 18, model: 'framepack-tiny', resolution: 160,
  extendVideo: null, extendLatents: null, extendContext: null, image: 'start.png', bucket: { width: 192, height: 128 },
};
const write = async (name: string, doc: unknown) => {
  const file = path.join(dir, name);
  await writeFile(file, JSON.stringify(doc));
  return file;
};

describe('--from SIDECAR', () => {
  it('gives back the flags of the job, the bucketed image beside the sidecar as --image', async () => {
    const file = await write('clip.json', { schema: 'framepack.output/1', inputImage: 'clip.png', parameters });
    expect(await sidecarFlags(file)).toEqual({
      prompt: 'a red ball', negative: '', seconds: '2', seed: '7', steps: '3', gs: '10', cfg: '1', rs: '0', window: '9', sampler: 'euler',
      mode: 'f1', 'teacache-threshold': '0.15', crf: '18', model: 'framepack-tiny', 'no-teacache': true, resolution: '160',
      image: path.join(dir, 'clip.png'),
    });
  });

  it('leaves an extension\'s source to the command line', async () => {
    const file = await write('ext.json', { schema: 'framepack.output/1', inputImage: 'ext.png', parameters: { ...parameters, extendVideo: 'clip.mp4', extendContext: 17 } });
    const flags = await sidecarFlags(file);
    expect(flags.image).toBeUndefined();
    expect(flags).toMatchObject({ fromExtension: 'clip.mp4', 'extend-context': '17' });
  });

  it('names what is wrong with the file', async () => {
    await expect(sidecarFlags(path.join(dir, 'none.json'))).rejects.toThrow(/--from .*none\.json: no such file/);
    const other = await write('other.json', { schema: 'something/2', parameters });
    await expect(sidecarFlags(other)).rejects.toThrow(/not a framepack sidecar \(schema:/);
  });
});
