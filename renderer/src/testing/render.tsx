/** Renders a view the way the app does (beacon, clock, scrolling area), around a fake window.beacon. */
import { render, type RenderResult } from '@testing-library/react';
import type { ReactNode } from 'react';
import { ScrollArea } from '../components/ScrollArea.tsx';
import { BeaconProvider } from '../hooks/beacon.tsx';
import { ClockProvider, createManualClock } from '../hooks/clock.tsx';
import { FakeBeacon } from './fake-beacon.ts';
import { NOW } from './fixtures.ts';

export interface ViewHarness extends RenderResult {
  readonly beacon: FakeBeacon;
  readonly clock: ReturnType<typeof createManualClock>;
}

export function renderWithBeacon(ui: ReactNode, options: { beacon?: FakeBeacon; now?: number } = {}): ViewHarness {
  const beacon = options.beacon ?? new FakeBeacon();
  const clock = createManualClock(options.now ?? NOW);
  const wrap = (node: ReactNode) => (
    <BeaconProvider api={beacon.api}>
      <ClockProvider clock={clock}>
        <ScrollArea>{node}</ScrollArea>
      </ClockProvider>
    </BeaconProvider>
  );
  const result = render(wrap(ui));
  // rerender() keeps the same providers around the new element.
  return { ...result, rerender: (node: ReactNode) => result.rerender(wrap(node)), beacon, clock };
}
