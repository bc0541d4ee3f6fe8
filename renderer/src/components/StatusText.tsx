/** A task's status in words, with a coloured dot beside it (the words carry the meaning, not the colour). */
import type { TaskStatus } from '../../../main/core/ipc/contract.ts';
import { STATUS_LABEL } from '../format/labels.ts';

export function StatusText({ status }: { status: TaskStatus }) {
  return (
    <span className={`status status-${status}`}>
      <span className="status-dot" aria-hidden="true" />
      {STATUS_LABEL[status]}
    </span>
  );
}
