/**
 * A fingerprint of everything the migrations define in schema public, free of
 * OIDs and names of the database, so fingerprints of two databases (or of one
 * database before and after re-applying a migration) can be compared line by line.
 */
import type pg from 'pg';

const FINGERPRINT_SQL = `
with public_tables as (
  select c.oid, c.relname
  from pg_class c
  where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
),
acl_text as (
  select c.oid,
         coalesce((select string_agg(coalesce(nullif(a.grantee::regrole::text, '-'), 'PUBLIC') || ':' || a.privilege_type, ',' order by 1)
                   from aclexplode(c.relacl) a), 'default') as acl
  from pg_class c join public_tables t on t.oid = c.oid
)
select line from (
  select 'publication ' || p.pubname || ' ' || p.pubinsert || p.pubupdate || p.pubdelete || p.pubtruncate as line
  from pg_publication p
  union all
  select 'publication-table ' || pubname || ' ' || schemaname || '.' || tablename || ' ' || coalesce(attnames::text, '')
  from pg_publication_tables
  union all
  select 'column ' || t.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) ||
         case when a.attnotnull then ' not null' else '' end ||
         coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
  from public_tables t
  join pg_attribute a on a.attrelid = t.oid and a.attnum > 0 and not a.attisdropped
  left join pg_attrdef d on d.adrelid = t.oid and d.adnum = a.attnum
  union all
  select 'column-acl ' || t.relname || '.' || a.attname || ' ' ||
         (select string_agg(x.grantee::regrole::text || ':' || x.privilege_type, ',' order by 1) from aclexplode(a.attacl) x)
  from public_tables t
  join pg_attribute a on a.attrelid = t.oid and a.attnum > 0 and not a.attisdropped and a.attacl is not null
  union all
  select 'table ' || t.relname || ' rls=' || c.relrowsecurity || ' replica-identity=' || c.relreplident::text || ' acl=' || acl.acl
  from public_tables t join pg_class c on c.oid = t.oid join acl_text acl on acl.oid = t.oid
  union all
  select 'constraint ' || t.relname || '.' || con.conname || ' ' || pg_get_constraintdef(con.oid)
  from public_tables t join pg_constraint con on con.conrelid = t.oid
  union all
  select 'index ' || indexname || ' ' || indexdef from pg_indexes where schemaname = 'public'
  union all
  select 'trigger ' || t.relname || '.' || tg.tgname || ' ' || pg_get_triggerdef(tg.oid)
  from public_tables t join pg_trigger tg on tg.tgrelid = t.oid and not tg.tgisinternal
  union all
  select 'policy ' || tablename || ' "' || policyname || '" ' || cmd || ' to ' || array_to_string(roles, ',') ||
         ' using ' || coalesce(qual, '-') || ' check ' || coalesce(with_check, '-')
  from pg_policies where schemaname = 'public'
  union all
  select 'function ' || p.oid::regprocedure::text || ' md5=' || md5(pg_get_functiondef(p.oid)) || ' acl=' ||
         coalesce((select string_agg(coalesce(nullif(a.grantee::regrole::text, '-'), 'PUBLIC') || ':' || a.privilege_type, ',' order by 1)
                   from aclexplode(p.proacl) a), 'default')
  from pg_proc p where p.pronamespace = 'public'::regnamespace
) lines
order by line
`;

export async function catalogFingerprint(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ line: string }>(FINGERPRINT_SQL);
  return rows.map((row) => row.line);
}
