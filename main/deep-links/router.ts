// Electron adapter for deep links (DL-01, DL-03). Collects beacon:// links from
// every way the OS delivers them (macOS open-url, Windows/Linux argv on cold start
// and in second-instance), validates each with main/core/deep-links/parse.ts,
// and hands valid ones to `onContact` once the app is ready.
import { findDeepLinkInArgv, parseDeepLink, type DeepLink } from '../core/deep-links/parse.ts';
import { previewForLog } from '../core/security/url-text.ts';
import type { Logger } from '../core/ports.ts';

/** The parts of Electron's App the router uses (Electron's App satisfies it). */
export interface DeepLinkApp {
  on(event: 'open-url', listener: (event: { preventDefault(): void }, url: string) => void): unknown;
  on(event: 'second-instance', listener: (event: unknown, argv: string[]) => void): unknown;
}

export type DeepLinkVia = 'open-url' | 'second-instance' | 'cold-start';

export interface DeepLinkRouterOptions {
  readonly app: DeepLinkApp;
  readonly logger: Logger;
  /** Focus the contact in the tray window. Called only after markReady(). */
  readonly onContact: (contactId: string, via: DeepLinkVia) => unknown;
}

export interface DeepLinkRouter {
  /** Windows/Linux: look for a link in the process's own argv (pass process.argv). */
  handleColdStart(argv: readonly string[]): void;
  /** The UI can now act on links: dispatch the queue, then deliver new links at once. */
  markReady(): void;
}

/** Links that arrive before ready are few (one per launch); a flood keeps only the newest. */
const MAX_QUEUED = 10;

/**
 * Registers the open-url and second-instance listeners at once: call it at module
 * top level, before `ready`, or macOS launch links are lost.
 */
export function createDeepLinkRouter({ app, logger, onContact }: DeepLinkRouterOptions): DeepLinkRouter {
  let ready = false;
  const queue: Array<{ link: DeepLink; via: DeepLinkVia }> = [];

  const dispatch = (link: DeepLink, via: DeepLinkVia): void => {
    logger.info('deep link', { kind: link.kind, contactId: link.contactId, via });
    try {
      void Promise.resolve(onContact(link.contactId, via)).catch((error: unknown) => {
        logger.error('deep link handler failed', { via, error: String(error) });
      });
    } catch (error) {
      logger.error('deep link handler failed', { via, error: String(error) });
    }
  };

  const receive = (raw: unknown, via: DeepLinkVia): void => {
    const parsed = parseDeepLink(raw);
    if (!parsed.ok) {
      logger.warn('deep link rejected', { reason: parsed.reason, via, input: previewForLog(raw) });
      return;
    }
    if (ready) {
      dispatch(parsed.link, via);
      return;
    }
    queue.push({ link: parsed.link, via });
    if (queue.length > MAX_QUEUED) queue.shift();
  };

  app.on('open-url', (event, url) => {
    // Tells macOS Beacon handled the URL itself.
    event.preventDefault();
    receive(url, 'open-url');
  });
  app.on('second-instance', (_event, argv) => {
    const raw = findDeepLinkInArgv(argv);
    if (raw !== undefined) receive(raw, 'second-instance');
  });

  return {
    handleColdStart(argv) {
      const raw = findDeepLinkInArgv(argv);
      if (raw !== undefined) receive(raw, 'cold-start');
    },
    markReady() {
      if (ready) return;
      ready = true;
      for (const { link, via } of queue.splice(0)) dispatch(link, via);
    },
  };
}
