/** Things the main process wants the user to know (insecure key store, ignored policy values, …). */
import type { Notice } from '../../../main/core/ipc/contract.ts';

export function Notices({ notices }: { notices: readonly Notice[] }) {
  if (notices.length === 0) return null;
  return (
    <div className="notices">
      {notices.map((notice) => (
        <p key={notice.id} role={notice.level === 'info' ? 'status' : 'alert'} className={`notice notice-${notice.level}`}>
          {notice.text}
        </p>
      ))}
    </div>
  );
}
