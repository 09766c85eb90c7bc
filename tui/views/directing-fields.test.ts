import { describe, expect, it } from 'vitest';
import { buildSpec, initialForm } from './form-state.js';

const values = (over: Record<string, string>) => ({ ...initialForm({ image: '/x/start.png', prompt: 'a cat' }).values, ...over });

describe('the new-job form’s directing fields', () => {
  it('turn into the protocol spec’s endImage, endStrength, keyframes and promptBlend', () => {
    const built = buildSpec(values({ prompt: '[0s: a cat sits] [2s: the cat jumps]', promptBlend: '2', endImage: '/x/end.png', endStrength: '0.5', keyframes: '1.5=/x/a.png, 3s=/x/b.png' }));
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    expect(built.spec).toMatchObject({ promptBlend: 2, endImage: '/x/end.png', endStrength: 0.5, keyframes: [{ seconds: 1.5, image: '/x/a.png' }, { seconds: 3, image: '/x/b.png' }] });
    // Empty fields send nothing (the daemon's defaults).
    const plain = buildSpec(values({}));
    expect(plain.ok && ['promptBlend', 'endImage', 'endStrength', 'keyframes'].filter((k) => k in plain.spec)).toEqual([]);
  });

  it('shows the problem in the field: overlapping prompt spans, a relative path, a bad keyframe, a strength out of range', () => {
    const bad = buildSpec(values({ prompt: '[0s-3s: a] [2s: b]', endImage: 'end.png', keyframes: '2.5', endStrength: '2' }));
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.errors.prompt).toMatch(/overlap/);
    expect(bad.errors.endImage).toMatch(/absolute path/);
    expect(bad.errors.keyframes).toMatch(/SECONDS=/);
    expect(bad.errors.endStrength).toBeDefined();
  });

  it('a copied job fills them back in', () => {
    const v = initialForm({ image: '/x/s.png', prompt: 'p', endImage: '/x/e.png', keyframes: [{ seconds: 2, image: '/x/k.png' }], promptBlend: 1 }).values;
    expect([v.endImage, v.keyframes, v.promptBlend, v.endStrength]).toEqual(['/x/e.png', '2=/x/k.png', '1', '']);
  });
});
