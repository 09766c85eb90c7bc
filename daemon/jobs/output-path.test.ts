import { describe, expect, it } from 'vitest';
import { outputPathProblem } from './output-path.js';

describe('outputPathProblem', () => {
  it('accepts absolute paths on real folders', () => {
    expect(outputPathProblem('/home/me/videos/clip.mp4')).toBeNull();
    expect(outputPathProblem('/processed/clip.mp4')).toBeNull();
  });
  it('refuses relative paths and kernel pseudo-filesystems, naming the problem', () => {
    expect(outputPathProblem('clip.mp4')).toMatch(/must be an absolute path/);
    expect(outputPathProblem('/proc/no-such/clip.mp4')).toMatch(/under \/proc, a kernel pseudo-filesystem/);
    expect(outputPathProblem('/sys/x.mp4')).toMatch(/under \/sys/);
    expect(outputPathProblem('/tmp/../dev/null/x.mp4')).toMatch(/under \/dev/);
  });
  it('refuses an out that is not an .mp4 file and a name too long for the temp files beside it', () => {
    expect(outputPathProblem('/tmp/out')).toMatch(/must name an \.mp4 file/);
    expect(outputPathProblem('/tmp/.mp4')).toMatch(/must name an \.mp4 file/);
    expect(outputPathProblem(`/tmp/${'a'.repeat(196)}.mp4`)).toBeNull();
    expect(outputPathProblem(`/tmp/${'a'.repeat(197)}.mp4`)).toMatch(/201 bytes; at most 200/);
  });
});
