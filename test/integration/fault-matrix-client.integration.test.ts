/** Fault matrix, the desktop's side: a suspend/resume, and a core restart in the middle of a burst. */
import { describeFaultMatrix } from './matrix-suite.ts';

describeFaultMatrix('fault matrix: client', ['suspend-resume', 'core-restart']);
