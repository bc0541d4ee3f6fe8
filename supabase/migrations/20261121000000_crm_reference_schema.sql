-- Reference schema of the CRM that Beacon works with (docs/architecture.md, "Data").
--
-- A real CRM project already has these tables; this migration gives local work
-- and tests the same shape. Beacon's own changes (publication, notifications
-- flag, replica identity, column grants, snapshot RPC) are in the next
-- migration, the one a DBA applies to an existing project.
--
-- Re-runnable: tables and indexes are created only when missing, functions
-- and triggers are replaced, policies are dropped and recreated, all inside
-- the one transaction the migration runs in.
--
-- Ownership: an agent (auth.users row) owns AI agents and contacts; tasks
-- belong to an AI agent and concern a contact; conversation rows hang off a
-- contact. RLS lets an agent reach only what hangs off their own user id.

-- Timestamps ------------------------------------------------------------------

create or replace function public.set_updated_at() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;

-- Fills started_at / completed_at from status changes, so every writer (the AI
-- workers, the CRM, the simulator) produces the same lifecycle timestamps.
-- Explicit values given by the writer are kept.
create or replace function public.agent_tasks_track_status() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' or new.status is distinct from old.status then
    if new.status = 'in_progress' and new.started_at is null then
      new.started_at := now();
    end if;
    if new.status in ('completed', 'failed', 'cancelled') then
      if new.completed_at is null or (tg_op = 'UPDATE' and new.completed_at is not distinct from old.completed_at) then
        new.completed_at := now();
      end if;
    else
      new.completed_at := null;
    end if;
  end if;
  return new;
end
$$;

-- Tables ----------------------------------------------------------------------

create table if not exists public.user_profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  email text not null,
  display_name text,
  avatar_url text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table if not exists public.ai_agents (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  name text not null,
  description text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table if not exists public.contacts (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  full_name text not null,
  email text,
  phone text,
  company text,
  archived_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table if not exists public.agent_tasks (
  id uuid primary key default gen_random_uuid(),
  agent_id uuid not null references public.ai_agents (id) on delete cascade,
  contact_id uuid not null references public.contacts (id) on delete cascade,
  title text not null,
  status text not null default 'pending'
    constraint agent_tasks_status_check check (status in ('pending', 'in_progress', 'completed', 'failed', 'cancelled')),
  result text,
  error text,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  completed_at timestamptz,
  updated_at timestamptz not null default now()
);

create table if not exists public.conversation_metadata (
  id uuid primary key default gen_random_uuid(),
  conversation_id uuid not null,
  contact_id uuid not null references public.contacts (id) on delete cascade,
  status text,
  priority text,
  sentiment text,
  summary text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint conversation_metadata_conversation_contact_key unique (conversation_id, contact_id)
);

create table if not exists public.conversation_notes (
  id uuid primary key default gen_random_uuid(),
  conversation_id uuid not null,
  contact_id uuid not null references public.contacts (id) on delete cascade,
  author_id uuid references auth.users (id) on delete set null,
  body text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table if not exists public.conversation_contact_labels (
  id uuid primary key default gen_random_uuid(),
  conversation_id uuid not null,
  contact_id uuid not null references public.contacts (id) on delete cascade,
  label text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint conversation_contact_labels_conversation_contact_label_key unique (conversation_id, contact_id, label)
);

-- Triggers --------------------------------------------------------------------

create or replace trigger set_updated_at before update on public.user_profiles
  for each row execute function public.set_updated_at();
create or replace trigger set_updated_at before update on public.ai_agents
  for each row execute function public.set_updated_at();
create or replace trigger set_updated_at before update on public.contacts
  for each row execute function public.set_updated_at();
create or replace trigger set_updated_at before update on public.agent_tasks
  for each row execute function public.set_updated_at();
create or replace trigger set_updated_at before update on public.conversation_metadata
  for each row execute function public.set_updated_at();
create or replace trigger set_updated_at before update on public.conversation_notes
  for each row execute function public.set_updated_at();
create or replace trigger set_updated_at before update on public.conversation_contact_labels
  for each row execute function public.set_updated_at();

create or replace trigger track_status before insert or update of status on public.agent_tasks
  for each row execute function public.agent_tasks_track_status();

-- Indexes for the ownership checks the policies run ----------------------------

create index if not exists ai_agents_user_id_idx on public.ai_agents (user_id);
create index if not exists contacts_user_id_idx on public.contacts (user_id);
create index if not exists agent_tasks_agent_id_idx on public.agent_tasks (agent_id);
create index if not exists agent_tasks_contact_id_idx on public.agent_tasks (contact_id);
create index if not exists conversation_metadata_contact_id_idx on public.conversation_metadata (contact_id);
create index if not exists conversation_notes_contact_id_idx on public.conversation_notes (contact_id);
create index if not exists conversation_notes_author_id_idx on public.conversation_notes (author_id);
create index if not exists conversation_contact_labels_contact_id_idx on public.conversation_contact_labels (contact_id);

-- Row level security ------------------------------------------------------------
--
-- Policies are for `authenticated` only: anon has none and so reaches no row;
-- service_role bypasses RLS. auth.uid() is wrapped in a sub-select so the
-- planner evaluates it once per statement (initPlan), not once per row.
--
-- Rights of an agent:
--   user_profiles                read and update their own (which columns: the
--                                Beacon migration's column grants)
--   ai_agents                    read their own; AI agents are provisioned by
--                                the CRM's backend (service_role)
--   contacts                     full control of their own
--   agent_tasks                  read, create and update (e.g. cancel) tasks of
--                                their own AI agents on their own contacts; no
--                                delete: tasks are history
--   conversation_metadata/labels full control on their own contacts
--   conversation_notes           read all notes on their own contacts; write
--                                only notes they author there

alter table public.user_profiles enable row level security;
alter table public.ai_agents enable row level security;
alter table public.contacts enable row level security;
alter table public.agent_tasks enable row level security;
alter table public.conversation_metadata enable row level security;
alter table public.conversation_notes enable row level security;
alter table public.conversation_contact_labels enable row level security;

-- user_profiles
drop policy if exists "agents read their own profile" on public.user_profiles;
create policy "agents read their own profile" on public.user_profiles
  for select to authenticated
  using (id = (select auth.uid()));

drop policy if exists "agents update their own profile" on public.user_profiles;
create policy "agents update their own profile" on public.user_profiles
  for update to authenticated
  using (id = (select auth.uid()))
  with check (id = (select auth.uid()));

-- ai_agents
drop policy if exists "agents read their own AI agents" on public.ai_agents;
create policy "agents read their own AI agents" on public.ai_agents
  for select to authenticated
  using (user_id = (select auth.uid()));

-- contacts
drop policy if exists "agents read their own contacts" on public.contacts;
create policy "agents read their own contacts" on public.contacts
  for select to authenticated
  using (user_id = (select auth.uid()));

drop policy if exists "agents create their own contacts" on public.contacts;
create policy "agents create their own contacts" on public.contacts
  for insert to authenticated
  with check (user_id = (select auth.uid()));

drop policy if exists "agents update their own contacts" on public.contacts;
create policy "agents update their own contacts" on public.contacts
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

drop policy if exists "agents delete their own contacts" on public.contacts;
create policy "agents delete their own contacts" on public.contacts
  for delete to authenticated
  using (user_id = (select auth.uid()));

-- agent_tasks
drop policy if exists "agents read tasks of their AI agents" on public.agent_tasks;
create policy "agents read tasks of their AI agents" on public.agent_tasks
  for select to authenticated
  using (agent_id in (select a.id from public.ai_agents a where a.user_id = (select auth.uid())));

drop policy if exists "agents create tasks for their AI agents and contacts" on public.agent_tasks;
create policy "agents create tasks for their AI agents and contacts" on public.agent_tasks
  for insert to authenticated
  with check (
    agent_id in (select a.id from public.ai_agents a where a.user_id = (select auth.uid()))
    and contact_id in (select c.id from public.contacts c where c.user_id = (select auth.uid()))
  );

drop policy if exists "agents update tasks of their AI agents" on public.agent_tasks;
create policy "agents update tasks of their AI agents" on public.agent_tasks
  for update to authenticated
  using (agent_id in (select a.id from public.ai_agents a where a.user_id = (select auth.uid())))
  with check (
    agent_id in (select a.id from public.ai_agents a where a.user_id = (select auth.uid()))
    and contact_id in (select c.id from public.contacts c where c.user_id = (select auth.uid()))
  );

-- conversation_metadata
drop policy if exists "agents read metadata of their contacts" on public.conversation_metadata;
create policy "agents read metadata of their contacts" on public.conversation_metadata
  for select to authenticated
  using (contact_id in (select c.id from public.contacts c where c.user_id = (select auth.uid())));

drop policy if exists "agents create metadata of their contacts" on public.conversation_metadata;
create policy "agents create metadata of their contacts" on public.conversation_metadata
  for insert to authenticated
  with check (contact_id in (select c.id from public.contacts c where c.user_id = (select auth.uid())));

drop policy if exists "agents update metadata of their contacts" on public.conversation_metadata;
create policy "agents update metadata of their contacts" on public.conversation_metadata
  for update to authenticated
  using (contact_id in (select c.id from public.contacts c where c.user_id = (select auth.uid())))
  with check (contact_id in (select c.id from public.contacts c where c.user_id = (select auth.uid())));

drop policy if exists "agents delete metadata of their contacts" on public.conversation_metadata;
create policy "agents delete metadata of their contacts" on public.conversation_metadata
  for delete to authenticated
  using (contact_id in (select c.id from public.contacts c where c.user_id = (select auth.uid())));

-- conversation_notes
drop policy if exists "agents read notes of their contacts" on public.conversation_notes;
create policy "agents read notes of their contacts" on public.conversation_notes
  for select to authenticated
  using (contact_id in (select c.id from public.contacts c where c.user_id = (select auth.uid())));

drop policy if exists "agents write notes on their contacts" on public.conversation_notes;
create policy "agents write notes on their contacts" on public.conversation_notes
  for insert to authenticated
  with check (
    author_id = (select auth.uid())
    and contact_id in (select c.id from public.contacts c where c.user_id = (select auth.uid()))
  );

drop policy if exists "agents edit their own notes" on public.conversation_notes;
create policy "agents edit their own notes" on public.conversation_notes
  for update to authenticated
  using (
    author_id = (select auth.uid())
    and contact_id in (select c.id from public.contacts c where c.user_id = (select auth.uid()))
  )
  with check (
    author_id = (select auth.uid())
    and contact_id in (select c.id from public.contacts c where c.user_id = (select auth.uid()))
  );

drop policy if exists "agents delete their own notes" on public.conversation_notes;
create policy "agents delete their own notes" on public.conversation_notes
  for delete to authenticated
  using (
    author_id = (select auth.uid())
    and contact_id in (select c.id from public.contacts c where c.user_id = (select auth.uid()))
  );

-- conversation_contact_labels
drop policy if exists "agents read labels of their contacts" on public.conversation_contact_labels;
create policy "agents read labels of their contacts" on public.conversation_contact_labels
  for select to authenticated
  using (contact_id in (select c.id from public.contacts c where c.user_id = (select auth.uid())));

drop policy if exists "agents create labels of their contacts" on public.conversation_contact_labels;
create policy "agents create labels of their contacts" on public.conversation_contact_labels
  for insert to authenticated
  with check (contact_id in (select c.id from public.contacts c where c.user_id = (select auth.uid())));

drop policy if exists "agents update labels of their contacts" on public.conversation_contact_labels;
create policy "agents update labels of their contacts" on public.conversation_contact_labels
  for update to authenticated
  using (contact_id in (select c.id from public.contacts c where c.user_id = (select auth.uid())))
  with check (contact_id in (select c.id from public.contacts c where c.user_id = (select auth.uid())));

drop policy if exists "agents delete labels of their contacts" on public.conversation_contact_labels;
create policy "agents delete labels of their contacts" on public.conversation_contact_labels
  for delete to authenticated
  using (contact_id in (select c.id from public.contacts c where c.user_id = (select auth.uid())));
