import { describe, expect, it } from 'vitest';
import { hasPathTraversal, hasWhitespaceOrControl, previewForLog } from './url-text.ts';

describe('hasPathTraversal', () => {
  it.each(['app://bundle/../x', 'app://bundle/./x', 'beacon://contact/..', 'x://h/%2e%2e/y', 'x://h/a%2Fb', 'x://h/a%5cb', 'x://h/a\\b'])(
    'flags %s',
    (raw) => expect(hasPathTraversal(raw)).toBe(true),
  );
  it.each(['app://bundle/index.html', 'https://crm.example/.well-known/x', 'https://crm.example/a..b', 'app://bundle/assets/app.1.js'])(
    'lets %s through',
    (raw) => expect(hasPathTraversal(raw)).toBe(false),
  );
});

describe('hasWhitespaceOrControl', () => {
  it.each(['a b', 'a\nb', 'a\tb', ' a', 'a\u0000', 'a\u0085b', 'a\u00a0b'])('flags %j', (raw) => expect(hasWhitespaceOrControl(raw)).toBe(true));
  it('lets ordinary URLs through', () => expect(hasWhitespaceOrControl('beacon://contact/abc')).toBe(false));
});

describe('previewForLog', () => {
  it('keeps at most the first 100 characters and says how long the input was', () => {
    const preview = previewForLog('x'.repeat(10_000));
    expect(preview.startsWith('x'.repeat(100))).toBe(true);
    expect(preview).not.toContain('x'.repeat(101));
    expect(preview).toContain('10000 chars');
  });
  it('escapes newlines so the input cannot forge log lines', () => {
    expect(previewForLog('a\nERROR fake line')).toBe('a\\nERROR fake line');
  });
  it('describes non-strings without echoing them', () => {
    expect(previewForLog(undefined)).toBe('<undefined>');
    expect(previewForLog(null)).toBe('<null>');
  });
});
