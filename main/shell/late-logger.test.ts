import { describe, expect, it } from 'vitest';
import { RecordingLogger } from '../../test/fakes/recording-logger.ts';
import { LateLogger, MAX_BUFFERED } from './late-logger.ts';

describe('LateLogger', () => {
  it('replays what was logged before the real logger existed, then forwards', () => {
    const late = new LateLogger();
    late.warn('deep link rejected', { reason: 'unknown host' });
    late.info('early');
    const target = new RecordingLogger();
    late.attach(target);
    late.error('after');
    expect(target.entries.map((e) => [e.level, e.message])).toEqual([
      ['warn', 'deep link rejected'],
      ['info', 'early'],
      ['error', 'after'],
    ]);
    expect(target.entries[0]!.fields).toEqual({ reason: 'unknown host' });
  });

  it('keeps a bounded number of early entries', () => {
    const late = new LateLogger();
    for (let i = 0; i < MAX_BUFFERED + 50; i++) late.debug(`m${i}`);
    const target = new RecordingLogger();
    late.attach(target);
    expect(target.entries).toHaveLength(MAX_BUFFERED);
  });
});
