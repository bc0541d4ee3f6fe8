/** Text shaping for notification titles and bodies: OS toasts show little and cut badly. */

const ELLIPSIS = '…';

/** Collapses runs of whitespace (newlines included) into single spaces. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * At most `max` characters (code points, so an emoji or accented letter is
 * never split), cut at a word boundary when one is near the end, with `…`.
 */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const room = Math.max(1, max - 1);
  let cut = chars.slice(0, room).join('');
  const lastSpace = cut.lastIndexOf(' ');
  if (lastSpace >= room * 0.6) cut = cut.slice(0, lastSpace);
  return `${cut.trimEnd()}${ELLIPSIS}`;
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
