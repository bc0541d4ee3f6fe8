/**
 * Fault matrix, field faults (what fleets reported): a channel errored on a healthy socket, join rate
 * limiting, REST 429s, a stalled change feed with heartbeats alive, a suspend without resume, a full
 * disk and a corrupt ledger, each at a seeded random moment while tasks keep finishing.
 */
import { describeFaultMatrix } from './matrix-suite.ts';

describeFaultMatrix('fault matrix: field', ['channel-error', 'rate-limit-joins', 'rest-429', 'stall-feed', 'suspend-no-resume', 'full-disk', 'corrupt-ledger']);
