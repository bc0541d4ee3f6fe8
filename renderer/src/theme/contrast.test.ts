import { describe, expect, it } from 'vitest';
import { contrastRatio, parseHex, themeTokens } from './contrast.ts';

// Vitest hands CSS imports (even ?raw) to tests as empty strings, so the test reads the stylesheet from
// disk, through Node's own module loader (the test runs in Node; the renderer itself never does this).
type Fs = { readFileSync(path: string, encoding: 'utf8'): string };
const nodeProcess = (globalThis as unknown as { process: { getBuiltinModule(name: string): unknown } }).process;
const fs = nodeProcess.getBuiltinModule('node:fs') as Fs;
// (String surgery, not new URL(): happy-dom's URL does not resolve file: URLs.)
const stylesheet = decodeURIComponent(import.meta.url.replace(/^file:\/\//, '').replace(/theme\/[^/]+$/, 'styles.css'));
const css = fs.readFileSync(stylesheet, 'utf8');

/** Text colours and the backgrounds they appear on (styles.css). */
const TEXT_PAIRS: ReadonlyArray<[string, string]> = [
  ...['bg', 'surface', 'surface-hover', 'input-bg'].flatMap((bg) => ['text', 'text-muted', 'link', 'error-text'].map((fg): [string, string] => [fg, bg])),
  ['on-accent', 'accent'],
  ['error-text', 'error-bg'],
  ['warning-text', 'warning-bg'],
  ['info-text', 'info-bg'],
  ['new-text', 'new-bg'],
];

/** Things that are not text but must be seen (WCAG 1.4.11): focus rings, control outlines, state dots, the switch. */
const NON_TEXT_PAIRS: ReadonlyArray<[string, string]> = ['bg', 'surface', 'surface-hover', 'input-bg'].flatMap((bg) =>
  ['focus', 'border', 'accent', 'dot-live', 'dot-polling', 'dot-offline', 'dot-signed-out', 'dot-active', 'dot-completed', 'dot-failed', 'dot-cancelled'].map(
    (fg): [string, string] => [fg, bg],
  ),
);

const THEMES = { light: ':root', dark: ":root[data-theme='dark']" } as const;

describe('contrast ratio', () => {
  it('matches the WCAG reference values', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#fff', '#ffffff')).toBe(1);
    expect(contrastRatio('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
    expect(parseHex('#0b57d0')).toEqual([11, 87, 208]);
    expect(() => parseHex('blue')).toThrow(/not a #rgb/);
  });
});

describe.each(Object.entries(THEMES))('the %s theme', (_name, selector) => {
  const tokens = themeTokens(css, selector);
  const color = (name: string): string => {
    const value = tokens[name];
    if (!value) throw new Error(`${selector} has no --${name}`);
    return value;
  };

  it('defines every token the other theme defines', () => {
    expect(Object.keys(tokens).sort()).toEqual(Object.keys(themeTokens(css, THEMES.light)).sort());
  });

  it.each(TEXT_PAIRS)('--%s on --%s is at least 4.5:1 (text, AA)', (fg, bg) => {
    expect(contrastRatio(color(fg), color(bg))).toBeGreaterThanOrEqual(4.5);
  });

  it.each(NON_TEXT_PAIRS)('--%s on --%s is at least 3:1 (non-text)', (fg, bg) => {
    expect(contrastRatio(color(fg), color(bg))).toBeGreaterThanOrEqual(3);
  });
});

describe('the stylesheet', () => {
  it('turns off animations and transitions for people who ask for reduced motion', () => {
    const block = /@media \(prefers-reduced-motion: reduce\)\s*\{([\s\S]*?)\n\}/.exec(css)?.[1] ?? '';
    expect(block).toMatch(/animation: none !important/);
    expect(block).toMatch(/transition: none !important/);
  });

  it('gives every focusable thing a visible focus ring', () => {
    expect(css).toMatch(/:focus-visible \{\s*outline: 2px solid var\(--focus\)/);
  });
});
