/** auth.users rows and the user object GoTrue returns for them. */
import type { Pool, PoolClient } from 'pg';

export interface UserRow {
  id: string;
  aud: string | null;
  role: string | null;
  email: string;
  email_confirmed_at: Date | null;
  last_sign_in_at: Date | null;
  raw_app_meta_data: Record<string, unknown> | null;
  raw_user_meta_data: Record<string, unknown> | null;
  created_at: Date;
  updated_at: Date;
}

export const USER_COLUMNS =
  'id, aud, role, email, email_confirmed_at, last_sign_in_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at';

export async function findUserById(db: Pool | PoolClient, id: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(`select ${USER_COLUMNS} from auth.users where id = $1`, [id]);
  return rows[0];
}

const iso = (value: Date | null): string | undefined => value?.toISOString();

/** GoTrue's JSON for a user (fields it omits when empty are left out too). */
export function userJson(user: UserRow): Record<string, unknown> {
  const json: Record<string, unknown> = {
    id: user.id,
    aud: user.aud ?? 'authenticated',
    role: user.role ?? 'authenticated',
    email: user.email,
    email_confirmed_at: iso(user.email_confirmed_at),
    phone: '',
    confirmed_at: iso(user.email_confirmed_at),
    last_sign_in_at: iso(user.last_sign_in_at),
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    // Users created by SQL (the seed) have no auth.identities rows; GoTrue answers [] for them too.
    identities: [],
    created_at: user.created_at.toISOString(),
    updated_at: user.updated_at.toISOString(),
    is_anonymous: false,
  };
  for (const key of Object.keys(json)) if (json[key] === undefined) delete json[key];
  return json;
}

export interface NewUser {
  readonly email: string;
  /** Stored bcrypt-hashed; undefined = no password (cannot sign in with one). */
  readonly password: string | undefined;
  readonly emailConfirmed: boolean;
  readonly userMetadata: Record<string, unknown>;
  readonly appMetadata: Record<string, unknown>;
  readonly role: string;
  readonly aud: string;
  readonly now: Date;
}

/** Inserts a user; undefined when the email is already taken (auth.users.email is unique). */
export async function insertUser(db: Pool | PoolClient, user: NewUser): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(
    `insert into auth.users (email, encrypted_password, raw_user_meta_data, raw_app_meta_data, role, aud, email_confirmed_at, created_at, updated_at)
     values ($1, case when $2::text is null then null else crypt($2::text, gen_salt('bf')) end, $3, $4, $5, $6, case when $7 then $8::timestamptz end, $8, $8)
     on conflict (email) do nothing
     returning ${USER_COLUMNS}`,
    [user.email, user.password ?? null, user.userMetadata, user.appMetadata, user.role, user.aud, user.emailConfirmed, user.now],
  );
  return rows[0];
}

export async function findUserByEmail(db: Pool | PoolClient, email: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(`select ${USER_COLUMNS} from auth.users where lower(email) = lower($1)`, [email]);
  return rows[0];
}

/** One page of users, newest first (GoTrue's default order), and how many there are. */
export async function listUsers(db: Pool | PoolClient, page: number, perPage: number): Promise<{ users: UserRow[]; total: number }> {
  const { rows } = await db.query<UserRow & { total: string }>(
    `select ${USER_COLUMNS}, count(*) over () as total from auth.users order by created_at desc, id limit $1 offset $2`,
    [perPage, (page - 1) * perPage],
  );
  if (rows.length > 0) return { users: rows, total: Number(rows[0]!.total) };
  const { rows: counted } = await db.query<{ total: string }>('select count(*) as total from auth.users');
  return { users: [], total: Number(counted[0]?.total ?? 0) };
}

export interface UserChanges {
  readonly email?: string;
  readonly password?: string;
  readonly confirmEmail?: boolean;
  /** Merged into the stored metadata key by key; a null value removes the key (GoTrue's UpdateUserMetaData). */
  readonly userMetadata?: Record<string, unknown>;
  readonly appMetadata?: Record<string, unknown>;
  readonly role?: string;
}

/** SQL for GoTrue's metadata update: keys of the patch are set, those whose value is null removed. */
function mergeMetadata(column: string, patch: string): string {
  return `case when ${patch}::jsonb is null then ${column}
               else (coalesce(${column}, '{}'::jsonb) || ${patch}::jsonb)
                    - coalesce((select array_agg(key) from jsonb_each(${patch}::jsonb) where value = 'null'::jsonb), '{}'::text[]) end`;
}

/** Applies changes; undefined when the user does not exist. Throws PostgreSQL's 23505 when the new email is taken. */
export async function updateUser(db: Pool | PoolClient, id: string, changes: UserChanges, now: Date): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(
    `update auth.users set
       email = coalesce($2, email),
       encrypted_password = case when $3::text is null then encrypted_password else crypt($3::text, gen_salt('bf')) end,
       email_confirmed_at = case when $4 and email_confirmed_at is null then $8::timestamptz else email_confirmed_at end,
       raw_user_meta_data = ${mergeMetadata('raw_user_meta_data', '$5')},
       raw_app_meta_data = ${mergeMetadata('raw_app_meta_data', '$6')},
       role = coalesce($7, role),
       updated_at = $8
     where id = $1
     returning ${USER_COLUMNS}`,
    [
      id,
      changes.email ?? null,
      changes.password ?? null,
      changes.confirmEmail ?? false,
      changes.userMetadata ?? null,
      changes.appMetadata ?? null,
      changes.role ?? null,
      now,
    ],
  );
  return rows[0];
}

/** Deletes a user (sessions and refresh tokens go with it); false when there was none. */
export async function deleteUser(db: Pool | PoolClient, id: string): Promise<boolean> {
  const { rowCount } = await db.query('delete from auth.users where id = $1', [id]);
  return (rowCount ?? 0) > 0;
}
