-- Beacon's migration: what the Beacon desktop notifier needs from a CRM project
-- that already has the tables of the reference schema.
--
-- Idempotent by construction: every step first looks at the catalog and acts
-- only where something is missing, so applying it twice, or to a project where
-- part of it was done by hand, succeeds and the second run changes nothing.
-- (The snapshot function is "create or replace" with the same definition, so a
-- newer Beacon release can update it through the same file.)
--
-- Needs to run as the owner of the tables and of publication supabase_realtime
-- (on Supabase: the postgres role, e.g. in the SQL editor or `supabase db push`).

-- 1. Per-agent switch for OS notifications, honoured live by Beacon ------------

alter table public.user_profiles
  add column if not exists notifications_enabled boolean not null default true;

-- 2. What an agent may change in their own profile ------------------------------
--
-- RLS (policy "agents update their own profile") picks the row; column
-- privileges pick the columns. A table-level UPDATE privilege would cover every
-- column (email included), so it is replaced by column-level grants on exactly
-- notifications_enabled, display_name and avatar_url. Revoking a table-level
-- privilege also drops that privilege's column grants, so the grant comes after.

do $$
declare
  api_roles regrole[] := array['anon'::regrole, 'authenticated'::regrole];
  stray record;
begin
  if exists (
    select 1
    from pg_class c, aclexplode(c.relacl) acl
    where c.oid = 'public.user_profiles'::regclass
      and acl.privilege_type = 'UPDATE'
      and acl.grantee = any (api_roles)
  ) then
    revoke update on table public.user_profiles from anon, authenticated;
  end if;

  for stray in
    select a.attname
    from pg_attribute a, aclexplode(a.attacl) acl
    where a.attrelid = 'public.user_profiles'::regclass
      and a.attnum > 0
      and not a.attisdropped
      and a.attname not in ('notifications_enabled', 'display_name', 'avatar_url')
      and acl.privilege_type = 'UPDATE'
      and acl.grantee = any (api_roles)
  loop
    execute format('revoke update (%I) on table public.user_profiles from anon, authenticated', stray.attname);
  end loop;
end
$$;

grant update (notifications_enabled, display_name, avatar_url) on table public.user_profiles to authenticated;

-- 3. Realtime publication ---------------------------------------------------------
--
-- Supabase Realtime streams only tables in publication supabase_realtime. Create
-- it when absent (local databases, older projects) and add the six tables Beacon
-- listens to, each only when it is not already published (pg_publication_tables
-- also covers FOR ALL TABLES and FOR TABLES IN SCHEMA publications).

do $$
declare
  beacon_table text;
begin
  if not exists (select 1 from pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;

  foreach beacon_table in array array[
    'agent_tasks', 'conversation_metadata', 'conversation_notes',
    'conversation_contact_labels', 'contacts', 'user_profiles'
  ] loop
    if not exists (
      select 1 from pg_publication_tables
      where pubname = 'supabase_realtime' and schemaname = 'public' and tablename = beacon_table
    ) then
      execute format('alter publication supabase_realtime add table public.%I', beacon_table);
    end if;
  end loop;
end
$$;

-- 4. Replica identity ------------------------------------------------------------
--
-- What the replica identity buys on Supabase Realtime, for tables with RLS on
-- (all six are):
--   * `old` of UPDATE and DELETE events is cut down to the primary key whatever
--     the identity, so FULL would not give clients any old values (and Beacon
--     never trusts `old`: it compares against its own last-known state).
--   * DELETE events are not checked against RLS (the row is gone) and go to
--     every subscriber of the table whose filter matches; a filter on a DELETE
--     is evaluated against the old identity columns. Scoping DELETEs to one's
--     own rows therefore needs the owner column in the identity: contact_id for
--     the conversation tables, user_id for contacts, agent_id / contact_id for
--     tasks. With the default identity (primary key only) such a filter can
--     never match a DELETE.
-- Hence FULL for those five. user_profiles keeps its identity (default: the
-- primary key), because its owner column *is* the primary key (id = auth.uid()),
-- so `id=eq.<uid>` already works for its DELETEs. The price of FULL is the whole
-- old row in the WAL for each UPDATE/DELETE; these rows are small.

do $$
declare
  beacon_table text;
begin
  foreach beacon_table in array array[
    'agent_tasks', 'contacts', 'conversation_metadata',
    'conversation_notes', 'conversation_contact_labels'
  ] loop
    if (select c.relreplident from pg_class c where c.oid = format('public.%I', beacon_table)::regclass) <> 'f' then
      execute format('alter table public.%I replica identity full', beacon_table);
    end if;
  end loop;
end
$$;

-- 5. Indexes the snapshot reads by -------------------------------------------------
--
-- On a large existing table consider creating these first with
-- CREATE INDEX CONCURRENTLY (outside a transaction); this step then skips them.

create index if not exists agent_tasks_status_updated_at_idx on public.agent_tasks (status, updated_at desc);
create index if not exists conversation_metadata_updated_at_idx on public.conversation_metadata (updated_at desc);
create index if not exists conversation_notes_updated_at_idx on public.conversation_notes (updated_at desc);
create index if not exists conversation_contact_labels_updated_at_idx on public.conversation_contact_labels (updated_at desc);

-- 6. Snapshot RPC ------------------------------------------------------------------
--
-- Everything the tray needs in one round trip, run after every (re)subscribe and
-- while polling. security invoker: it reads as the caller, so RLS applies; it
-- also filters by auth.uid() itself, so even a role that bypasses RLS gets only
-- its own data (and a caller without a user id gets empty lists).
--
-- Arguments:
--   finished_since  cursor for finished tasks (e.g. the previous server_time);
--                   null = no cursor, return the most recent changes_limit ones
--   changes_since   cursor for conversation changes; null = the most recent ones
--   changes_limit   bound for each conversation list and the cursor-less finished
--                   list; clamped to 1..1000 (null = 200)
--
-- Result (jsonb; timestamps as ISO 8601 strings):
--   {
--     "server_time": timestamptz,          -- transaction start; rows written by
--                                          -- transactions still open then may carry an
--                                          -- earlier updated_at: re-query with overlap
--     "profile": { "id", "email", "display_name", "notifications_enabled" } | null,
--     "active_tasks": [ task row + "agent_name", "contact_name" ],
--                                          -- pending and in_progress, oldest first
--     "finished_tasks": [ task row + "agent_name", "contact_name" ],
--                                          -- completed, failed, cancelled with
--                                          -- updated_at > finished_since (at most 1000),
--                                          -- newest first
--     "contacts": [ { "id", "full_name", "company", "email", "archived_at", "updated_at" } ],
--                                          -- every contact the lists above refer to
--     "conversation_changes": {
--       "metadata": [ conversation_metadata row ],
--       "notes":    [ conversation_notes row ],
--       "labels":   [ conversation_contact_labels row ]
--     }                                    -- rows with updated_at > changes_since,
--                                          -- newest first, at most changes_limit each
--   }
-- A task row has: id, agent_id, contact_id, title, status, result, error,
-- created_at, started_at, completed_at, updated_at. Deleted rows cannot appear
-- in a snapshot; deletions reach Beacon through realtime only.

create or replace function public.beacon_snapshot(
  finished_since timestamptz default null,
  changes_since timestamptz default null,
  changes_limit integer default 200
) returns jsonb
language sql
stable
security invoker
set search_path = ''
as $$
  with
  caller as (
    select auth.uid() as user_id,
           least(greatest(coalesce(beacon_snapshot.changes_limit, 200), 1), 1000) as row_limit
  ),
  my_agents as (
    select a.id, a.name
    from public.ai_agents a
    where a.user_id = (select user_id from caller)
  ),
  my_contacts as (
    select c.id, c.full_name, c.company, c.email, c.archived_at, c.updated_at
    from public.contacts c
    where c.user_id = (select user_id from caller)
  ),
  my_tasks as (
    select t.*, a.name as agent_name, c.full_name as contact_name
    from public.agent_tasks t
    join my_agents a on a.id = t.agent_id
    left join my_contacts c on c.id = t.contact_id
  ),
  active_tasks as (
    select * from my_tasks where status in ('pending', 'in_progress')
  ),
  finished_tasks as (
    select *
    from my_tasks
    where status in ('completed', 'failed', 'cancelled')
      and (beacon_snapshot.finished_since is null or updated_at > beacon_snapshot.finished_since)
    order by updated_at desc, id
    limit (select case when beacon_snapshot.finished_since is null then row_limit else 1000 end from caller)
  ),
  metadata_changes as (
    select m.*
    from public.conversation_metadata m
    where m.contact_id in (select id from my_contacts)
      and (beacon_snapshot.changes_since is null or m.updated_at > beacon_snapshot.changes_since)
    order by m.updated_at desc, m.id
    limit (select row_limit from caller)
  ),
  note_changes as (
    select n.*
    from public.conversation_notes n
    where n.contact_id in (select id from my_contacts)
      and (beacon_snapshot.changes_since is null or n.updated_at > beacon_snapshot.changes_since)
    order by n.updated_at desc, n.id
    limit (select row_limit from caller)
  ),
  label_changes as (
    select l.*
    from public.conversation_contact_labels l
    where l.contact_id in (select id from my_contacts)
      and (beacon_snapshot.changes_since is null or l.updated_at > beacon_snapshot.changes_since)
    order by l.updated_at desc, l.id
    limit (select row_limit from caller)
  ),
  referenced_contacts as (
    select contact_id from active_tasks
    union select contact_id from finished_tasks
    union select contact_id from metadata_changes
    union select contact_id from note_changes
    union select contact_id from label_changes
  )
  select jsonb_build_object(
    'server_time', now(),
    'profile', (
      select jsonb_build_object(
        'id', p.id,
        'email', p.email,
        'display_name', p.display_name,
        'notifications_enabled', p.notifications_enabled
      )
      from public.user_profiles p
      where p.id = (select user_id from caller)
    ),
    'active_tasks', coalesce(
      (select jsonb_agg(to_jsonb(t) order by t.created_at, t.id) from active_tasks t), '[]'::jsonb),
    'finished_tasks', coalesce(
      (select jsonb_agg(to_jsonb(t) order by t.updated_at desc, t.id) from finished_tasks t), '[]'::jsonb),
    'contacts', coalesce(
      (select jsonb_agg(to_jsonb(c) order by c.full_name, c.id)
       from my_contacts c
       where c.id in (select contact_id from referenced_contacts)), '[]'::jsonb),
    'conversation_changes', jsonb_build_object(
      'metadata', coalesce(
        (select jsonb_agg(to_jsonb(m) order by m.updated_at desc, m.id) from metadata_changes m), '[]'::jsonb),
      'notes', coalesce(
        (select jsonb_agg(to_jsonb(n) order by n.updated_at desc, n.id) from note_changes n), '[]'::jsonb),
      'labels', coalesce(
        (select jsonb_agg(to_jsonb(l) order by l.updated_at desc, l.id) from label_changes l), '[]'::jsonb)
    )
  )
$$;

comment on function public.beacon_snapshot(timestamptz, timestamptz, integer) is
  'Beacon tray snapshot for the calling agent: profile, active tasks, tasks finished since a cursor, '
  'recent conversation changes and the contacts they refer to. See the Beacon migration for the shape.';

-- Only signed-in agents call it. Default privileges in schema public would also
-- give it to anon and service_role (the latter would bypass RLS: no use here).
revoke execute on function public.beacon_snapshot(timestamptz, timestamptz, integer) from public, anon, service_role;
grant execute on function public.beacon_snapshot(timestamptz, timestamptz, integer) to authenticated;
