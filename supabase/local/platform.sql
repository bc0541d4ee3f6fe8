-- Platform SQL for local work: the pieces every hosted Supabase project already
-- has and that the migrations rely on. Applied before the migrations by the local
-- stack (supabase/local/db/prepare.ts); never part of what a DBA applies to a
-- real project. Idempotent: safe to apply to an already prepared database.

-- Extensions live in their own schema, as on Supabase. The database's default
-- search_path includes it so unqualified crypt()/gen_salt() resolve.
create schema if not exists extensions;
create extension if not exists pgcrypto with schema extensions;
do $$
begin
  execute format('alter database %I set search_path = "$user", public, extensions', current_database());
end
$$;

-- API roles. PostgREST/Realtime connect as `authenticator` and switch to the
-- role named in the request's JWT. service_role is the trusted backend: it
-- bypasses RLS.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
end
$$;
alter role service_role bypassrls;
grant anon, authenticated, service_role to authenticator;

grant usage on schema extensions to anon, authenticated, service_role;

-- Privileges as on Supabase: the API roles may use schema public and get
-- privileges on whatever the migration owner creates there; RLS policies
-- decide which rows they actually reach. (No "grant ... on all tables" here:
-- re-applying this file must not undo a migration's narrower grants.)
grant usage on schema public to anon, authenticated, service_role;
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;

-- Auth: a subset of GoTrue's schema, enough for password and refresh-token grants.
create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role;

create table if not exists auth.users (
  id uuid primary key default gen_random_uuid(),
  email text not null unique,
  -- bcrypt via pgcrypto: crypt(password, gen_salt('bf')); checked with
  -- encrypted_password = crypt(candidate, encrypted_password).
  encrypted_password text,
  raw_user_meta_data jsonb default '{}'::jsonb,
  raw_app_meta_data jsonb default '{"provider": "email", "providers": ["email"]}'::jsonb,
  role text default 'authenticated',
  aud text default 'authenticated',
  email_confirmed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  last_sign_in_at timestamptz
);

create table if not exists auth.sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index if not exists sessions_user_id_idx on auth.sessions (user_id);

create table if not exists auth.refresh_tokens (
  id bigserial primary key,
  token text unique,
  user_id uuid references auth.users (id) on delete cascade,
  session_id uuid references auth.sessions (id) on delete cascade,
  revoked boolean default false,
  -- The token this one replaced (rotation chain), as in GoTrue.
  parent text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index if not exists refresh_tokens_user_id_idx on auth.refresh_tokens (user_id);
create index if not exists refresh_tokens_session_id_idx on auth.refresh_tokens (session_id);
create index if not exists refresh_tokens_parent_idx on auth.refresh_tokens (parent);

-- Request context. PostgREST and Realtime put the verified JWT claims into the
-- transaction-local setting request.jwt.claims. current_setting(..., true)
-- yields '' (not NULL) once the setting has been used in a session, hence the
-- nullif. The request.jwt.claim.* settings are the older PostgREST style that
-- Supabase's definitions still honour first.
create or replace function auth.jwt() returns jsonb
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;

create or replace function auth.uid() returns uuid
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'
  )::uuid
$$;

create or replace function auth.role() returns text
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role'
  )::text
$$;

create or replace function auth.email() returns text
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email'
  )::text
$$;
