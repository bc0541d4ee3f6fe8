import { describe, expect, it } from 'vitest';
import { oneLine, plural, truncate } from './text.ts';

describe('truncate', () => {
  it.each([
    ['short stays', 'Refund sent', 20, 'Refund sent'],
    ['exactly the limit stays', 'abcde', 5, 'abcde'],
    ['cuts at a word near the end', 'The customer asked for a refund of the annual plan', 30, 'The customer asked for a…'],
    ['cuts inside a long word when no space is near', 'x'.repeat(50), 10, `${'x'.repeat(9)}…`],
    ['never splits an emoji', '👍'.repeat(10), 5, '👍👍👍👍…'],
    ['never splits an accented letter', 'é'.repeat(10), 4, 'ééé…'],
  ])('%s', (_name, text, max, expected) => {
    const out = truncate(text, max);
    expect(out).toBe(expected);
    expect(Array.from(out).length).toBeLessThanOrEqual(max);
  });
});

describe('oneLine and plural', () => {
  it.each([
    ['  a\n\n b\tc  ', 'a b c'],
    ['', ''],
  ])('oneLine(%j) = %j', (text, expected) => {
    expect(oneLine(text)).toBe(expected);
  });

  it.each([
    [1, '1 task'],
    [0, '0 tasks'],
    [2, '2 tasks'],
  ])('plural(%i)', (count, expected) => {
    expect(plural(count, 'task')).toBe(expected);
  });
});
