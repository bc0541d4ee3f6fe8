/**
 * The window's main area, and its one scrolling element. Virtual lists inside
 * share it (each offset by where it starts), so the overview scrolls as one
 * page however many contacts there are.
 */
import { createContext, useContext, useState, type ReactNode } from 'react';

const ScrollContext = createContext<HTMLElement | null>(null);

export function ScrollArea({ children }: { children: ReactNode }) {
  const [element, setElement] = useState<HTMLElement | null>(null);
  return (
    <main ref={setElement} className="scroll-area">
      <ScrollContext.Provider value={element}>{children}</ScrollContext.Provider>
    </main>
  );
}

/** The element that scrolls (null before it is mounted). */
export function useScrollElement(): HTMLElement | null {
  return useContext(ScrollContext);
}
