/**
 * Fault matrix, realtime connection faults: the socket dropped, heartbeats
 * unanswered, the realtime server restarted. (Other rows: fault-matrix-server
 * and fault-matrix-client; the long version is soak.ts.)
 */
import { describeFaultMatrix } from './matrix-suite.ts';

describeFaultMatrix('fault matrix: realtime connection', ['drop-sockets', 'silence-heartbeats', 'restart-realtime']);
