import { afterEach, describe, expect, it } from 'vitest';
import { Notification as FakeNotification, fakeEvent } from '../../test/electron-stub.ts';
import type { NotificationRequest } from '../core/ports.ts';
import { RecordingLogger } from '../../test/fakes/recording-logger.ts';
import { ElectronNotifier, type ActivationDetails, type NotificationClass } from './electron-notifier.ts';

const ADA = '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b';
const BOB = '7d1e2f3a-4b5c-4d6e-8f7a-8b9c0d1e2f3a';

function task(contactId: string, title: string, status: 'completed' | 'failed' = 'completed'): NotificationRequest {
  return { kind: 'task', tag: contactId, taskId: crypto.randomUUID(), contactId, status, title, body: 'body', urgency: status === 'failed' ? 'critical' : 'normal' };
}

function setup(platform: NodeJS.Platform = 'darwin', NotificationImpl?: NotificationClass) {
  const opened: Array<string | null> = [];
  const crm: string[] = [];
  const logger = new RecordingLogger();
  let now = 1000;
  const notifier = new ElectronNotifier({
    onOpen: (contactId) => opened.push(contactId),
    onOpenInCrm: (contactId) => crm.push(contactId),
    crmLinks: () => true,
    platform,
    logger,
    clock: { now: () => now++ },
    ...(NotificationImpl ? { Notification: NotificationImpl } : {}),
  });
  return { notifier, opened, crm, logger };
}

const lastShown = () => FakeNotification.shown.at(-1)!;

afterEach(() => {
  FakeNotification.shown.length = 0;
  FakeNotification.supported = true;
});

describe('ElectronNotifier', () => {
  it('shows a notification with the planned options and keeps it referenced', () => {
    const { notifier } = setup('darwin');
    notifier.show(task(ADA, 'Ada: task failed', 'failed'));
    expect(FakeNotification.shown).toHaveLength(1);
    expect(lastShown().options).toMatchObject({ title: 'Ada: task failed', urgency: 'critical', silent: false });
    expect(notifier.liveCount()).toBe(1);
    expect(notifier.liveNotification(ADA)).toBe(lastShown());
  });

  it('a click opens the contact and drops the reference', () => {
    const { notifier, opened } = setup();
    notifier.show(task(ADA, 'Ada: done'));
    lastShown().emit('click', fakeEvent());
    expect(opened).toEqual([ADA]);
    expect(notifier.liveCount()).toBe(0);
  });

  it('a click on a summary of several contacts just opens the window', () => {
    const { notifier, opened } = setup();
    notifier.show({ kind: 'summary', tag: 'summary:burst', reason: 'burst', tasks: [], contactId: null, title: '4 tasks completed', body: '', urgency: 'normal' });
    lastShown().emit('click', fakeEvent());
    expect(opened).toEqual([null]);
  });

  it('a new notification with the same tag closes the previous one', () => {
    const { notifier } = setup();
    notifier.show(task(ADA, 'first'));
    const first = lastShown();
    let firstClosed = false;
    first.on('close', () => (firstClosed = true));
    notifier.show(task(ADA, 'second'));
    expect(firstClosed).toBe(true);
    expect(notifier.liveCount()).toBe(1);
    expect(notifier.liveNotification(ADA)).toBe(lastShown());
    // The old one's late close event does not drop the new one.
    first.emit('close', fakeEvent());
    expect(notifier.liveNotification(ADA)).toBe(lastShown());
  });

  it('other tags are left alone', () => {
    const { notifier } = setup();
    notifier.show(task(ADA, 'ada'));
    notifier.show(task(BOB, 'bob'));
    expect(notifier.liveCount()).toBe(2);
  });

  it('drops the reference when the notification is closed', () => {
    const { notifier } = setup();
    notifier.show(task(ADA, 'ada'));
    lastShown().emit('close', fakeEvent());
    expect(notifier.liveCount()).toBe(0);
  });

  it('logs a failed notification instead of throwing, and drops it', () => {
    const { notifier, logger } = setup();
    notifier.show(task(ADA, 'ada'));
    expect(() => lastShown().emit('failed', fakeEvent(), 'the app is not signed')).not.toThrow();
    expect(notifier.liveCount()).toBe(0);
    expect(logger.at('warn').map((e) => e.fields?.error)).toContain('the app is not signed');
  });

  it('action buttons open the contact or the CRM (new and legacy event shapes)', () => {
    const { notifier, opened, crm } = setup('win32');
    notifier.show(task(ADA, 'ada'));
    lastShown().emit('action', fakeEvent({ actionIndex: 1, selectionIndex: -1 }), 1);
    expect(crm).toEqual([ADA]);
    notifier.show(task(BOB, 'bob'));
    lastShown().emit('action', undefined, 0);
    expect(opened).toEqual([BOB]);
    expect(notifier.liveCount()).toBe(0);
  });

  it('where notifications are unsupported: shows nothing, still lists it for the tray', () => {
    FakeNotification.supported = false;
    const { notifier, logger } = setup('linux');
    expect(notifier.supported).toBe(false);
    notifier.show(task(ADA, 'Ada: task failed', 'failed'));
    expect(FakeNotification.shown).toHaveLength(0);
    expect(notifier.liveCount()).toBe(0);
    expect(notifier.recent().map((r) => r.title)).toEqual(['Ada: task failed']);
    expect(logger.at('warn')).toHaveLength(1);
  });

  it('keeps the last few notifications for the tray, newest first, one per tag', () => {
    const { notifier } = setup();
    let changes = 0;
    notifier.onRecentChange(() => changes++);
    notifier.show(task(ADA, 'ada 1'));
    notifier.show(task(BOB, 'bob'));
    notifier.show(task(ADA, 'ada 2'));
    expect(notifier.recent().map((r) => [r.title, r.contactId])).toEqual([
      ['ada 2', ADA],
      ['bob', BOB],
    ]);
    expect(changes).toBe(3);
    for (let i = 0; i < 10; i++) notifier.show(task(crypto.randomUUID(), `n${i}`));
    expect(notifier.recent()).toHaveLength(5);
  });

  it('closeAll closes every live notification', () => {
    const { notifier } = setup();
    notifier.show(task(ADA, 'ada'));
    notifier.show(task(BOB, 'bob'));
    notifier.closeAll();
    expect(notifier.liveCount()).toBe(0);
  });

  it('after closeAll (sign-out) the previous user\'s notifications are inert: a late click or action opens nothing, the recent list is empty', () => {
    const { notifier, opened, crm } = setup('win32');
    notifier.show(task(ADA, 'ada'));
    const old = lastShown();
    notifier.show(task(BOB, 'bob'));
    const older = lastShown();
    notifier.closeAll();
    old.emit('click', fakeEvent());
    older.emit('action', fakeEvent({ actionIndex: 1, selectionIndex: -1 }), 1);
    expect(opened).toEqual([]);
    expect(crm).toEqual([]);
    expect(notifier.recent()).toEqual([]);
    // The next user's notifications work as before.
    notifier.show(task(BOB, 'bob again'));
    lastShown().emit('click', fakeEvent());
    expect(opened).toEqual([BOB]);
  });

  describe('Windows Action Center activation', () => {
    it('is skipped where Notification.handleActivation does not exist', () => {
      const { notifier } = setup('linux');
      expect(notifier.handleActivation()).toBe(false);
    });

    it('opens the contact a remembered toast names, and leaves live toasts to their own click', () => {
      let callback: ((details: ActivationDetails) => void) | undefined;
      class WithActivation extends FakeNotification {
        static handleActivation(cb: (details: ActivationDetails) => void): void {
          callback = cb;
        }
      }
      const { notifier, opened } = setup('win32', WithActivation as unknown as NotificationClass);
      expect(notifier.handleActivation()).toBe(true);
      notifier.show(task(ADA, 'ada'));
      callback!({ type: 'click', arguments: `tag=${ADA}` });
      expect(opened).toEqual([]); // the live toast's own click event handles it
      lastShown().emit('close', fakeEvent());
      callback!({ type: 'click', arguments: `tag=${ADA}` });
      expect(opened).toEqual([ADA]);
      callback!({ type: 'click', arguments: 'from a previous run' });
      expect(opened).toEqual([ADA, null]);
    });
  });
});
