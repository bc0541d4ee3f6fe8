/**
 * GoTrue's admin users API (/auth/v1/admin/users), what supabase.auth.admin
 * calls: list (page / per_page, X-Total-Count and Link headers), create (with
 * email_confirm), get, update and delete. The caller must be an admin
 * (service_role key or secret key), checked by the router.
 */
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import type { StackContext } from '../context.ts';
import { sendJson } from '../http/responses.ts';
import { badRequest, notFound, unprocessable } from './auth-errors.ts';
import { checkPassword, metadataSchema, validateEmail } from './user-params.ts';
import { deleteUser, findUserById, insertUser, listUsers, updateUser, userJson, type UserRow } from './users.ts';

type AdminContext = Pick<StackContext, 'db' | 'auth' | 'now'>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DEFAULT_PER_PAGE = 50;
const MAX_PER_PAGE = 1000;
const DUPLICATE_EMAIL = 'A user with this email address has already been registered';

export const adminUserSchema = z.looseObject({
  email: z.string().optional(),
  phone: z.string().optional(),
  password: z.string().nullish(),
  email_confirm: z.boolean().optional(),
  phone_confirm: z.boolean().optional(),
  user_metadata: metadataSchema.nullish(),
  app_metadata: metadataSchema.nullish(),
  role: z.string().optional(),
  ban_duration: z.string().optional(),
});
export type AdminUserParams = z.infer<typeof adminUserSchema>;

export const adminDeleteSchema = z.looseObject({ should_soft_delete: z.boolean().optional() });

/** The user id of /admin/users/{id}, checked as GoTrue's loadUser does. */
export function adminUserId(raw: string): string {
  if (!UUID.test(raw)) throw badRequest('validation_failed', 'user_id must be an UUID');
  return raw.toLowerCase();
}

function refuseUnsupported(params: AdminUserParams): void {
  if ((params.phone ?? '') !== '') throw badRequest('validation_failed', 'Phone users are not supported by the Beacon local stack');
  if ((params.ban_duration ?? '') !== '') throw badRequest('validation_failed', 'ban_duration is not supported by the Beacon local stack');
}

function pageParam(query: URLSearchParams, name: string, fallback: number): number {
  const raw = query.get(name) ?? '';
  if (raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw badRequest('validation_failed', `Bad Pagination Parameters: invalid ${name} ${JSON.stringify(raw)}`);
  return value;
}

/** GoTrue's addPaginationHeaders: X-Total-Count, and Link with `next` (when there is one) and `last`. */
function paginationHeaders(baseUrl: string, page: number, perPage: number, total: number): Record<string, string> {
  const lastPage = Math.ceil(total / perPage);
  const link = (p: number, rel: string) => `<${baseUrl}?page=${p}&per_page=${perPage}>; rel="${rel}"`;
  const links = [...(page < lastPage ? [link(page + 1, 'next')] : []), link(lastPage, 'last')];
  return { 'X-Total-Count': String(total), Link: links.join(', ') };
}

export async function listUsersRoute(ctx: AdminContext, res: ServerResponse, query: URLSearchParams, baseUrl: string): Promise<void> {
  const page = pageParam(query, 'page', 1);
  const perPage = Math.min(pageParam(query, 'per_page', DEFAULT_PER_PAGE), MAX_PER_PAGE);
  const { users, total } = await listUsers(ctx.db.pool, page, perPage);
  sendJson(res, 200, { users: users.map(userJson), aud: 'authenticated' }, paginationHeaders(baseUrl, page, perPage, total));
}

export async function createUserRoute(ctx: AdminContext, res: ServerResponse, params: AdminUserParams): Promise<void> {
  refuseUnsupported(params);
  if ((params.email ?? '') === '') throw badRequest('validation_failed', 'Cannot create a user without either an email or phone');
  const email = validateEmail(params.email ?? '');
  const password = params.password ?? '';
  if (password !== '') checkPassword(password, ctx.auth.passwordMinLength);
  const user = await insertUser(ctx.db.pool, {
    email,
    // GoTrue generates a random password when none is given; no password means the same here: no password sign-in.
    password: password === '' ? undefined : password,
    emailConfirmed: params.email_confirm ?? false,
    userMetadata: params.user_metadata ?? {},
    appMetadata: { provider: 'email', providers: ['email'], ...params.app_metadata },
    role: params.role ?? 'authenticated',
    aud: 'authenticated',
    now: new Date(ctx.now()),
  });
  if (user === undefined) throw unprocessable('email_exists', DUPLICATE_EMAIL);
  sendJson(res, 200, userJson(user));
}

async function existingUser(ctx: AdminContext, id: string): Promise<UserRow> {
  const user = await findUserById(ctx.db.pool, id);
  if (user === undefined) throw notFound('user_not_found', 'User not found');
  return user;
}

export async function getUserRoute(ctx: AdminContext, res: ServerResponse, id: string): Promise<void> {
  sendJson(res, 200, userJson(await existingUser(ctx, id)));
}

export async function updateUserRoute(ctx: AdminContext, res: ServerResponse, id: string, params: AdminUserParams): Promise<void> {
  refuseUnsupported(params);
  await existingUser(ctx, id);
  const email = (params.email ?? '') === '' ? undefined : validateEmail(params.email ?? '');
  if (params.password !== undefined && params.password !== null) checkPassword(params.password, ctx.auth.passwordMinLength);
  let updated: UserRow | undefined;
  try {
    updated = await updateUser(
      ctx.db.pool,
      id,
      {
        ...(email !== undefined ? { email } : {}),
        ...(params.password !== undefined && params.password !== null ? { password: params.password } : {}),
        ...(params.email_confirm === true ? { confirmEmail: true } : {}),
        ...(params.user_metadata ? { userMetadata: params.user_metadata } : {}),
        ...(params.app_metadata ? { appMetadata: params.app_metadata } : {}),
        ...(params.role !== undefined && params.role !== '' ? { role: params.role } : {}),
      },
      new Date(ctx.now()),
    );
  } catch (error) {
    if ((error as { code?: unknown }).code === '23505') throw unprocessable('email_exists', DUPLICATE_EMAIL);
    throw error;
  }
  if (updated === undefined) throw notFound('user_not_found', 'User not found');
  sendJson(res, 200, userJson(updated));
}

export async function deleteUserRoute(ctx: AdminContext, res: ServerResponse, id: string, params: z.infer<typeof adminDeleteSchema>): Promise<void> {
  if (params.should_soft_delete === true) throw badRequest('validation_failed', 'Soft deletion is not supported by the Beacon local stack');
  if (!(await deleteUser(ctx.db.pool, id))) throw notFound('user_not_found', 'User not found');
  sendJson(res, 200, {});
}
