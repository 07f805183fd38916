import { describe, expect, it } from 'vitest';
import { clampText, expandText } from './clamp';

describe('clampText', () => {
  it('leaves short texts whole', () => {
    expect(clampText('hello\nworld')).toEqual({ shown: 'hello\nworld', clipped: false });
  });
  it('cuts long texts by characters and many-line texts by lines', () => {
    expect(clampText('a'.repeat(10_000_000))).toEqual({ shown: 'a'.repeat(300), clipped: true });
    expect(clampText('1\n2\n3\n4\n5')).toEqual({ shown: '1\n2\n3', clipped: true });
    expect(clampText('1\n2\n3')).toEqual({ shown: '1\n2\n3', clipped: false });
  });
  it('never halves an emoji', () => {
    const t = 'x' + '😀'.repeat(200);
    const c = clampText(t, 4);
    expect(c.shown).toBe('x😀');
    expect(c.clipped).toBe(true);
  });
  it('shows all up to a cap', () => {
    expect(expandText('a\n'.repeat(50))).toEqual({ shown: 'a\n'.repeat(50), clipped: false });
    expect(expandText('b'.repeat(200_000)).shown.length).toBe(100_000);
  });
});
