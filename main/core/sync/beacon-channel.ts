/**
 * The one realtime channel per signed-in agent: its topic and its
 * `postgres_changes` bindings for the six tables.
 *
 * RLS on the server decides which INSERT/UPDATE rows an agent receives, so the
 * task and conversation tables need no filter. DELETEs are not RLS-checked
 * (the row is gone) and carry only the key; the two tables whose owner column
 * is known up front are filtered on it so other agents' deletions of contacts
 * and profiles never reach this client at all.
 */
import { TABLE_NAMES, type TableName } from '../payloads/rows.ts';

export function channelTopic(userId: string): string {
  return `beacon:${userId}`;
}

export interface ChangeBinding {
  readonly event: '*';
  readonly schema: 'public';
  readonly table: TableName;
  readonly filter?: string;
}

export function changeBindings(userId: string): ChangeBinding[] {
  return TABLE_NAMES.map((table) => {
    if (table === 'contacts') return { event: '*', schema: 'public', table, filter: `user_id=eq.${userId}` };
    if (table === 'user_profiles') return { event: '*', schema: 'public', table, filter: `id=eq.${userId}` };
    return { event: '*', schema: 'public', table };
  });
}

/** Join errors and system messages that mean "this token is no good": refresh before trying again. */
export function isTokenProblem(message: string | undefined | null): boolean {
  return !!message && /token|jwt/i.test(message);
}
