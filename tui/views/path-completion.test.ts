import { describe, expect, it } from 'vitest';
import { completePath, type ListDir } from './path-completion.js';

const tree: Record<string, { name: string; dir: boolean }[]> = {
  '/home/u': [{ name: 'images', dir: true }, { name: 'img.png', dir: false }, { name: '.hidden', dir: false }],
  '/home/u/images': [{ name: 'cat.png', dir: false }, { name: 'cat2.png', dir: false }, { name: 'dog.jpg', dir: false }],
};
const listDir: ListDir = (dir) => tree[dir] ?? [];
const opts = { cwd: '/home/u', home: '/home/u' };

describe('image path completion', () => {
  it('completes a unique match, adding "/" to directories', () => {
    expect(completePath('ima', listDir, opts)).toEqual({ value: 'images/', candidates: [] });
    expect(completePath('~/images/d', listDir, opts)).toEqual({ value: '~/images/dog.jpg', candidates: [] });
    expect(completePath('/home/u/images/do', listDir, opts)).toEqual({ value: '/home/u/images/dog.jpg', candidates: [] });
  });

  it('completes to the common prefix and lists candidates when several match', () => {
    expect(completePath('images/c', listDir, opts)).toEqual({ value: 'images/cat', candidates: ['cat.png', 'cat2.png'] });
    expect(completePath('im', listDir, opts)).toEqual({ value: 'im', candidates: ['images/', 'img.png'] });
  });

  it('hides dot files unless asked, and leaves unknown paths alone', () => {
    expect(completePath('', listDir, opts).candidates).toEqual(['images/', 'img.png']);
    expect(completePath('.h', listDir, opts).value).toBe('.hidden');
    expect(completePath('/nope/x', listDir, opts)).toEqual({ value: '/nope/x', candidates: [] });
  });
});
