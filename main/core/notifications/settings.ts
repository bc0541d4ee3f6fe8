/** The user's local notification settings (kept on this machine, not in Supabase). */
import { z } from 'zod';
import { CONVERSATION_CHANGE_KINDS, type ConversationChangeKind } from '../domain/types.ts';
import { quietHoursSchema, type QuietHours } from './quiet-hours.ts';

export interface NotificationSettings {
  /** Daily local window in which notifications are muted; null = none. */
  readonly quietHours: QuietHours | null;
  /** Epoch ms until which notifications are paused; null = not paused. */
  readonly pausedUntil: number | null;
  /** Conversation change kinds the user wants OS notifications for. All off by default. */
  readonly conversationKinds: Readonly<Record<ConversationChangeKind, boolean>>;
}

const allOff = Object.fromEntries(CONVERSATION_CHANGE_KINDS.map((kind) => [kind, false])) as Record<ConversationChangeKind, boolean>;

export const DEFAULT_NOTIFICATION_SETTINGS: NotificationSettings = {
  quietHours: null,
  pausedUntil: null,
  conversationKinds: allOff,
};

/** Validates settings read from disk or sent by the renderer; missing fields take their defaults. */
export const notificationSettingsSchema = z.object({
  quietHours: quietHoursSchema.nullable().default(null),
  pausedUntil: z.number().int().nonnegative().nullable().default(null),
  conversationKinds: z
    .object({
      metadata: z.boolean().default(false),
      note: z.boolean().default(false),
      'label-added': z.boolean().default(false),
      'label-removed': z.boolean().default(false),
      'contact-edit': z.boolean().default(false),
    })
    .default(allOff),
}) satisfies z.ZodType<NotificationSettings, unknown>;
