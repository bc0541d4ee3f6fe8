/** Fault matrix, server-side faults: lost deliveries, expired tokens, a database restart. */
import { describeFaultMatrix } from './matrix-suite.ts';

describeFaultMatrix('fault matrix: server', ['pause-replication', 'expire-tokens', 'restart-database']);
