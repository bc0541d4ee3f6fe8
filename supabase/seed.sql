-- Demo and test data: two human agents, their AI agents, 24 contacts each,
-- tasks in every status, and conversation metadata, notes and labels.
--
-- Deterministic: every id follows a pattern (below) and every value derives
-- from a row number; only timestamps are relative to the time of seeding (so
-- "recent" stays recent) and bcrypt salts are random.
--
--   users        a0000000-0000-4000-8000-000000000001 agent.a@beacon.local / beacon-demo-a
--                b0000000-0000-4000-8000-000000000001 agent.b@beacon.local / beacon-demo-b
--   ai_agents    <o>1000000-0000-4000-8000-0000000000NN   (3 per agent)
--   contacts     <o>2000000-0000-4000-8000-0000000000NN   (24 per agent, #24 archived)
--   agent_tasks  <o>3000000-0000-4000-8000-0000000000NN   (30 per agent, statuses cycle)
--   metadata     <o>4000000-0000-4000-8000-0000000000NN   (one per contact)
--   notes        <o>5000000-0000-4000-8000-0000000000NN   (2 per contact for contacts 1-12)
--   labels       <o>6000000-0000-4000-8000-0000000000NN   (1-2 per contact)
--   conversation <o>7000000-0000-4000-8000-0000000000NN   (conversation NN is with contact NN)
-- where <o> is a for agent A and b for agent B.

-- Works inside one transaction (Beacon's local stack) and statement by statement
-- (Supabase CLI): session-level settings and temp objects, removed at the end.
set search_path = "$user", public, extensions;

drop table if exists pg_temp.seed_owner;
create temporary table seed_owner (
  prefix text primary key,
  user_id uuid not null,
  email text not null,
  password text not null,
  display_name text not null
);

insert into seed_owner values
  ('a', 'a0000000-0000-4000-8000-000000000001', 'agent.a@beacon.local', 'beacon-demo-a', 'Avery Adams'),
  ('b', 'b0000000-0000-4000-8000-000000000001', 'agent.b@beacon.local', 'beacon-demo-b', 'Blake Brooks');

create or replace function pg_temp.seed_id(prefix text, kind int, n int) returns uuid
language sql immutable
as $$ select (prefix || kind || '000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid $$;

insert into auth.users (id, email, encrypted_password, raw_user_meta_data, email_confirmed_at, created_at, updated_at)
select user_id, email, crypt(password, gen_salt('bf')), jsonb_build_object('display_name', display_name),
       now() - interval '30 days', now() - interval '30 days', now() - interval '30 days'
from seed_owner
on conflict (id) do nothing;

insert into public.user_profiles (id, email, display_name, notifications_enabled, created_at, updated_at)
select user_id, email, display_name, true, now() - interval '30 days', now() - interval '30 days'
from seed_owner
on conflict (id) do nothing;

insert into public.ai_agents (id, user_id, name, description, created_at, updated_at)
select pg_temp.seed_id(o.prefix, 1, n), o.user_id,
       (array['Research Assistant', 'Follow-up Writer', 'Data Enricher'])[n],
       (array['Digs up context on a contact before a call',
              'Drafts follow-up emails after conversations',
              'Fills in company and role details'])[n],
       now() - interval '29 days', now() - interval '29 days'
from seed_owner o, generate_series(1, 3) n
on conflict (id) do nothing;

insert into public.contacts (id, user_id, full_name, email, phone, company, archived_at, created_at, updated_at)
select pg_temp.seed_id(o.prefix, 2, n), o.user_id,
       first_name || ' ' || last_name,
       lower(first_name || '.' || last_name) || '@' || lower(replace(company, ' ', '')) || '.example',
       '+1-555-' || lpad((n * 37 % 10000)::text, 4, '0'),
       company,
       case when n = 24 then now() - interval '2 days' end,
       now() - interval '28 days' + n * interval '1 hour',
       now() - interval '2 days' - n * interval '10 minutes'
from seed_owner o,
     generate_series(1, 24) n,
     lateral (
       select (array['Jordan', 'Sam', 'Riley', 'Casey', 'Morgan', 'Taylor', 'Quinn', 'Drew',
                     'Alex', 'Robin', 'Jamie', 'Avery', 'Charlie', 'Emerson', 'Hayden', 'Sky'])
                [(n - 1) % 8 + 1 + case when o.prefix = 'b' then 8 else 0 end] as first_name,
              (array['Nguyen', 'Okafor', 'Silva', 'Kowalski', 'Haddad', 'Larsen'])[(n - 1) % 6 + 1] as last_name,
              (array['Northwind', 'Acme Corp', 'Globex', 'Initech', 'Umbrella Health', 'Stark Logistics', 'Wayne Foods'])[(n - 1) % 7 + 1] as company
     ) names
on conflict (id) do nothing;

-- Tasks: statuses cycle through all five; the newest are the lowest numbers.
insert into public.agent_tasks (id, agent_id, contact_id, title, status, result, error,
                                created_at, started_at, completed_at, updated_at)
select pg_temp.seed_id(o.prefix, 3, n),
       pg_temp.seed_id(o.prefix, 1, (n - 1) % 3 + 1),
       pg_temp.seed_id(o.prefix, 2, (n - 1) % 23 + 1),
       (array['Research recent news', 'Draft follow-up email', 'Enrich company profile',
              'Summarise last call', 'Prepare renewal brief', 'Check open invoices'])[(n - 1) % 6 + 1],
       status,
       case when status = 'completed' then 'Done: findings added to the contact timeline.' end,
       case when status = 'failed' then 'Upstream API timed out after 3 attempts.' end,
       created,
       case when status in ('in_progress', 'completed', 'failed') then created + interval '1 minute' end,
       case when status in ('completed', 'failed', 'cancelled') then created + interval '6 minutes' end,
       case when status in ('completed', 'failed', 'cancelled') then created + interval '6 minutes'
            when status = 'in_progress' then created + interval '1 minute'
            else created end
from seed_owner o,
     generate_series(1, 30) n,
     lateral (
       select (array['pending', 'in_progress', 'completed', 'failed', 'cancelled'])[(n - 1) % 5 + 1] as status,
              now() - n * interval '47 minutes' as created
     ) t
on conflict (id) do nothing;

insert into public.conversation_metadata (id, conversation_id, contact_id, status, priority, sentiment, summary,
                                          created_at, updated_at)
select pg_temp.seed_id(o.prefix, 4, n), pg_temp.seed_id(o.prefix, 7, n), pg_temp.seed_id(o.prefix, 2, n),
       (array['open', 'pending', 'resolved', 'snoozed'])[(n - 1) % 4 + 1],
       (array['low', 'normal', 'high', 'urgent'])[(n - 1) % 4 + 1],
       (array['positive', 'neutral', 'negative'])[(n - 1) % 3 + 1],
       (array['Asked about pricing for the team plan.',
              'Reported a sync issue on mobile.',
              'Wants a demo of the reporting module.',
              'Renewal discussion, budget pending.'])[(n - 1) % 4 + 1],
       now() - interval '20 days', now() - n * interval '53 minutes'
from seed_owner o, generate_series(1, 24) n
on conflict (id) do nothing;

insert into public.conversation_notes (id, conversation_id, contact_id, author_id, body, created_at, updated_at)
select pg_temp.seed_id(o.prefix, 5, n), pg_temp.seed_id(o.prefix, 7, c), pg_temp.seed_id(o.prefix, 2, c), o.user_id,
       (array['Called back, left a voicemail.', 'Sent the pricing sheet.',
              'Customer confirmed the fix works.', 'Escalated to engineering.'])[(n - 1) % 4 + 1],
       now() - n * interval '71 minutes', now() - n * interval '71 minutes'
from seed_owner o, generate_series(1, 24) n, lateral (select (n - 1) % 12 + 1 as c) contact
on conflict (id) do nothing;

insert into public.conversation_contact_labels (id, conversation_id, contact_id, label, created_at, updated_at)
select pg_temp.seed_id(o.prefix, 6, n), pg_temp.seed_id(o.prefix, 7, c), pg_temp.seed_id(o.prefix, 2, c),
       (array['vip', 'billing', 'bug', 'onboarding', 'churn-risk', 'renewal'])[(n - 1 + (n - 1) / 24) % 6 + 1],
       now() - n * interval '97 minutes', now() - n * interval '97 minutes'
from seed_owner o, generate_series(1, 36) n, lateral (select (n - 1) % 24 + 1 as c) contact
on conflict (id) do nothing;

drop function pg_temp.seed_id(text, int, int);
drop table pg_temp.seed_owner;
reset search_path;
