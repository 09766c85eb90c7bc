import { describe, expect, it } from 'vitest';
import { chunkRanges } from './blob-store.js';
import { pathsInside, reroot } from './checkpoint-store.js';

describe('checkpoint records across workers', () => {
  const record = {
    sectionsDone: 2, partialPath: '/out/x_part2.mp4',
    state: { resumable: true, pipeline: { historyFile: '/a/jobs/j1/checkpoint-2.history.f32', pixelsFile: '/a/jobs/j1/checkpoint-2.pixels.f32', noise: { s: [1, 2] }, other: '/a/jobs/j1/sub/x' } },
  };

  it('finds the files a record names in its job folder (not deeper, not elsewhere)', () => {
    expect(pathsInside(record.state, '/a/jobs/j1').sort()).toEqual(['/a/jobs/j1/checkpoint-2.history.f32', '/a/jobs/j1/checkpoint-2.pixels.f32']);
    expect(pathsInside(record.state, '/a/jobs/j')).toEqual([]);
  });

  it('re-roots those paths into another job folder and leaves the rest', () => {
    const moved = reroot(record, '/a/jobs/j1', '/b/jobs/j1');
    expect(moved.state.pipeline.historyFile).toBe('/b/jobs/j1/checkpoint-2.history.f32');
    expect(moved.state.pipeline.pixelsFile).toBe('/b/jobs/j1/checkpoint-2.pixels.f32');
    expect(moved.state.pipeline.other).toBe('/a/jobs/j1/sub/x');
    expect(moved.partialPath).toBe('/out/x_part2.mp4');
    expect(moved.state.pipeline.noise).toEqual({ s: [1, 2] });
  });

  it('re-roots through the placeholder a stored record uses', () => {
    const stored = reroot(record, '/a/jobs/j1', '${jobDir}');
    expect(stored.state.pipeline.historyFile).toBe('${jobDir}/checkpoint-2.history.f32');
    expect(reroot(stored, '${jobDir}', '/b/jobs/j1').state.pipeline.pixelsFile).toBe('/b/jobs/j1/checkpoint-2.pixels.f32');
  });

  it('chunks blobs into bounded ranges covering every byte', () => {
    expect(chunkRanges(0, 4)).toEqual([[0, 0]]);
    expect(chunkRanges(4, 4)).toEqual([[0, 4]]);
    expect(chunkRanges(10, 4)).toEqual([[0, 4], [4, 8], [8, 10]]);
  });
});
