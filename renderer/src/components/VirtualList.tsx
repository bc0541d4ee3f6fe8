/**
 * A list that renders only the rows in (or near) view, for thousands of
 * contacts. It scrolls with the window's ScrollArea, offset by where the list
 * starts, so several lists can share one scrolling page.
 *
 * Keyboard: the list is one tab stop (roving tabindex). Arrow keys, Home and
 * End move between rows; the row that holds the tab stop is always rendered,
 * even when scrolled away, so Tab never skips the list.
 *
 * Without layout (happy-dom in tests, a hidden window) sizes read as 0: the
 * list then assumes a window-sized viewport and estimated row heights, so it
 * still renders the first rows instead of nothing.
 */
import {
  defaultRangeExtractor,
  measureElement,
  observeElementRect,
  useVirtualizer,
  type Rect,
  type Virtualizer,
} from '@tanstack/react-virtual';
import { useCallback, useLayoutEffect, useMemo, useRef, useState, type FocusEvent, type KeyboardEvent, type ReactNode } from 'react';
import { useScrollElement } from './ScrollArea.tsx';

/** The tray window's size: the viewport assumed when the real one cannot be measured. */
const FALLBACK_RECT: Rect = { width: 380, height: 560 };

export interface RovingProps {
  readonly tabIndex: 0 | -1;
  readonly 'data-roving': true;
}

export interface VirtualListProps<T> {
  readonly items: readonly T[];
  readonly itemKey: (item: T) => string;
  /** A close guess of the row's height in px; the real height is measured once it renders. */
  readonly estimateSize: (item: T) => number;
  /** Renders one row; spread `roving` on the row's main control (the one arrow keys move between). */
  readonly renderItem: (item: T, roving: RovingProps) => ReactNode;
  /** The id of the heading that names the list. */
  readonly labelledBy: string;
  /** Move focus to this row once it is rendered (focus returning from a contact). */
  readonly focusKey?: string | null;
}

function observeWithFallback(instance: Virtualizer<HTMLElement, Element>, callback: (rect: Rect) => void) {
  return observeElementRect(instance, (rect) => callback(rect.height > 0 ? rect : FALLBACK_RECT));
}

function measureWithFallback(element: Element, entry: ResizeObserverEntry | undefined, instance: Virtualizer<HTMLElement, Element>): number {
  const size = measureElement(element, entry, instance);
  return size > 0 ? size : instance.options.estimateSize(instance.indexFromElement(element));
}

function rovingElement(list: HTMLElement | null, key: string): HTMLElement | null {
  if (!list) return null;
  for (const row of list.querySelectorAll<HTMLElement>('[data-key]')) {
    if (row.dataset.key === key) return row.querySelector<HTMLElement>('[data-roving]');
  }
  return null;
}

export function VirtualList<T>({ items, itemKey, estimateSize, renderItem, labelledBy, focusKey = null }: VirtualListProps<T>) {
  const scrollElement = useScrollElement();
  const listRef = useRef<HTMLUListElement>(null);
  const [scrollMargin, setScrollMargin] = useState(0);
  const [activeKey, setActiveKey] = useState<string | null>(focusKey);
  const focusRequest = useRef<string | null>(focusKey);

  const keys = useMemo(() => items.map(itemKey), [items, itemKey]);
  const activeIndex = Math.max(0, activeKey === null ? 0 : keys.indexOf(activeKey));

  const getItemKey = useCallback((index: number) => keys[index] ?? index, [keys]);
  const estimate = useCallback((index: number) => {
    const item = items[index];
    return item === undefined ? 0 : estimateSize(item);
  }, [items, estimateSize]);
  const rangeExtractor = useCallback(
    (range: Parameters<typeof defaultRangeExtractor>[0]) => {
      const indexes = defaultRangeExtractor(range);
      if (range.count === 0 || indexes.includes(activeIndex)) return indexes;
      return [...indexes, activeIndex].sort((a, b) => a - b);
    },
    [activeIndex],
  );

  const virtualizer = useVirtualizer<HTMLElement, Element>({
    count: items.length,
    getScrollElement: () => scrollElement,
    estimateSize: estimate,
    getItemKey,
    overscan: 4,
    scrollMargin,
    initialRect: FALLBACK_RECT,
    observeElementRect: observeWithFallback,
    measureElement: measureWithFallback,
    rangeExtractor,
    useFlushSync: false,
  });

  // Where the list starts inside the scrolling area; re-measured whenever the page above it changes height.
  useLayoutEffect(() => {
    const list = listRef.current;
    if (!list || !scrollElement) return;
    const measure = (): void => {
      const margin = Math.round(list.getBoundingClientRect().top - scrollElement.getBoundingClientRect().top + scrollElement.scrollTop);
      setScrollMargin((previous) => (Math.abs(previous - margin) < 1 ? previous : margin));
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    for (const child of scrollElement.children) observer.observe(child);
    return () => observer.disconnect();
  }, [scrollElement]);

  // A pending focus move (arrow keys, or focus returning to this row) happens once the row is rendered.
  useLayoutEffect(() => {
    const key = focusRequest.current;
    if (key === null) return;
    if (!keys.includes(key)) {
      focusRequest.current = null;
      return;
    }
    const element = rovingElement(listRef.current, key);
    if (element) {
      focusRequest.current = null;
      element.focus();
    }
  });

  const rowKeyOf = (target: EventTarget): string | null => {
    if (!(target instanceof HTMLElement) || !target.hasAttribute('data-roving')) return null;
    return target.closest<HTMLElement>('[data-key]')?.dataset.key ?? null;
  };

  const onFocus = (event: FocusEvent<HTMLUListElement>): void => {
    const key = rowKeyOf(event.target);
    if (key !== null && key !== activeKey) setActiveKey(key);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLUListElement>): void => {
    const key = rowKeyOf(event.target);
    if (key === null || items.length === 0) return;
    const current = Math.max(0, keys.indexOf(key));
    let next: number;
    switch (event.key) {
      case 'ArrowDown':
        next = Math.min(items.length - 1, current + 1);
        break;
      case 'ArrowUp':
        next = Math.max(0, current - 1);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = items.length - 1;
        break;
      default:
        return;
    }
    event.preventDefault();
    const nextKey = keys[next];
    if (nextKey === undefined) return;
    focusRequest.current = nextKey;
    setActiveKey(nextKey);
    // Rendering the row is enough for focus(), which scrolls it into view; this keeps the range ahead of it.
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };

  return (
    <ul ref={listRef} role="list" aria-labelledby={labelledBy} className="vlist" style={{ height: virtualizer.getTotalSize() }} onKeyDown={onKeyDown} onFocus={onFocus}>
      {virtualizer.getVirtualItems().map((row) => {
        const item = items[row.index];
        if (item === undefined) return null;
        const key = String(row.key);
        return (
          <li
            key={key}
            ref={virtualizer.measureElement}
            data-index={row.index}
            data-key={key}
            aria-setsize={items.length}
            aria-posinset={row.index + 1}
            className="vlist-row"
            style={{ transform: `translateY(${row.start - scrollMargin}px)` }}
          >
            {renderItem(item, { tabIndex: row.index === activeIndex ? 0 : -1, 'data-roving': true })}
          </li>
        );
      })}
    </ul>
  );
}
