import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileTempDir } from '../../test/helpers/temp-dir.js';
import { sidecarFlags, sourceFromCommandLine } from './sidecar-flags.js';

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

  it('takes an extension\'s recorded source while it exists; otherwise leaves a line naming the flag to give', async () => {
    const video = await write('clip.mp4', {});
    const file = await write('ext.json', { schema: 'framepack.output/1', inputImage: 'ext.png', extendSource: video, parameters: { ...parameters, extendVideo: 'input.mp4', extendContext: 17 } });
    const flags = await sidecarFlags(file);
    expect(flags.image).toBeUndefined();
    expect(flags).toMatchObject({ extend: video, 'extend-context': '17' });
    expect(flags.fromMissing).toBeUndefined();
    const gone = await write('gone.json', { schema: 'framepack.output/1', inputImage: 'g.png', extendSource: path.join(dir, 'nope.mp4'), parameters: { ...parameters, extendVideo: 'input.mp4' } });
    expect(JSON.parse((await sidecarFlags(gone)).fromMissing as string)).toEqual({ extend: `--from: the sidecar is of an extension of ${path.join(dir, 'nope.mp4')}, which no longer exists; give --extend VIDEO with that video` });
    const job = await write('job.json', { schema: 'framepack.output/1', inputImage: 'j.png', extendJob: 'abc-1', parameters: { ...parameters, extendLatents: 'x.latents' } });
    expect(await sidecarFlags(job)).toMatchObject({ 'extend-job': 'abc-1' });
    // A source on the command line replaces the sidecar's.
    expect(sourceFromCommandLine(await sidecarFlags(gone), { extend: '/other.mp4' })).not.toHaveProperty('fromMissing');
  });

  it('gives a directed job\'s kept end and keyframe images, strength, blend and step cache', async () => {
    const file = await write('dir.json', {
      schema: 'framepack.output/1', inputImage: 'dir.png', endImage: 'dir.end.png', keyframeImages: ['dir.keyframe-0.png'],
      parameters: { ...parameters, cache: 'mag', magcacheThreshold: 0.2, magcacheMaxSkips: 3, magcacheRetention: 0.3, promptBlend: 2, endImage: 'end.png', endStrength: 0.7, keyframes: [{ seconds: 1.3, image: 'keyframe-0.png' }] },
    });
    const flags = await sidecarFlags(file);
    expect(flags).toMatchObject({
      'end-image': path.join(dir, 'dir.end.png'), 'end-strength': '0.7', keyframe: [`1.3=${path.join(dir, 'dir.keyframe-0.png')}`], 'prompt-blend': '2',
      cache: 'mag', 'magcache-threshold': '0.2', 'magcache-max-skips': '3', 'magcache-retention': '0.3',
    });
    expect(flags).not.toHaveProperty('no-teacache');
    // An older sidecar named only the files: the missing ones are said, with the flag to give.
    const old = await write('old.json', { schema: 'framepack.output/1', inputImage: 'old.png', parameters: { ...parameters, endImage: 'end.png', keyframes: [{ seconds: 1.3, image: 'keyframe-0.png' }] } });
    expect(Object.keys(JSON.parse((await sidecarFlags(old)).fromMissing as string))).toEqual(['end-image', 'keyframe']);
    const lora = await write('lora.json', { schema: 'framepack.output/1', inputImage: 'l.png', parameters: { ...parameters, loras: [{ file: 'style.safetensors', strength: 0.8 }] } });
    expect(JSON.parse((await sidecarFlags(lora)).fromMissing as string)).toEqual({ lora: '--from: the job used LoRAs (style.safetensors:0.8), recorded by name only; give --lora FILE[:STRENGTH] for each' });
  });
  it('names what is wrong with the file', async () => {
    await expect(sidecarFlags(path.join(dir, 'none.json'))).rejects.toThrow(/--from .*none\.json: no such file/);
    const other = await write('other.json', { schema: 'something/2', parameters });
    await expect(sidecarFlags(other)).rejects.toThrow(/not a framepack sidecar \(schema:/);
  });
});
