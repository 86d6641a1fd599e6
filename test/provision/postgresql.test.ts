/**
 * postgresql_db, postgresql_user and postgresql_privs (community.postgresql, as geerlingguy.postgresql
 * calls them): the same playbook run by `provision` on one lab host and by Debian's `ansible-playbook`
 * (with python3-psycopg2) on the other, both hosts with PostgreSQL 15 from the lab's package repository.
 * The task statuses, the recap, the registered results (changed, db, executed_commands, user, queries,
 * user_removed, failures and their messages) and the catalogs left (roles with their attributes and
 * password kind, databases with owner, encoding, locale and access list, tables' and a schema's access
 * lists) must be the same.
 *
 * When the hosts lack postgresql or python3-psycopg2, they are installed from a repository served
 * inside the lab (./lab-packages.ts: downloaded once with the machine's apt configuration) and purged
 * again at the end; the cluster is started when it does not answer.
 * Runs from the repo root: npx vitest run --config vitest.integration.config.ts test/provision/postgresql.test.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { labFromName, onHost, runAnsible, runProvision, type Lab } from './ansible-compare.js';
import { installOnLab, type Installed } from './lab-packages.js';

let lab: Lab;
let installed: Installed | undefined;
const PLAYBOOK = '../postgresql/postgresql.yml';
const PG_UP = 'su postgres -c "psql -X -q -c \'SELECT 1\'" >/dev/null 2>&1';

beforeAll(() => {
  lab = labFromName(inject('labName'));
  const missing = lab.hosts.some((h) => onHost(lab, h.name, 'command -v psql >/dev/null && python3 -c "import psycopg2" 2>/dev/null && echo yes || echo no').trim() !== 'yes');
  // Installed here, purged again at the end: the hosts stay as the other tests expect them.
  if (missing) installed = installOnLab(lab, ['postgresql', 'python3-psycopg2']);
  for (const h of lab.hosts) {
    const ready = onHost(lab, h.name, `${PG_UP} || service postgresql start >/dev/null 2>&1; for i in $(seq 1 30); do ${PG_UP} && { echo ready; exit 0; }; sleep 1; done; echo down`).trim();
    if (ready !== 'ready') throw new Error(`${h.name}: PostgreSQL does not answer`);
  }
}, 1_800_000);

afterAll(() => {
  installed?.remove('service postgresql stop');
}, 600_000);

type Result = Record<string, unknown>;
const KEYS = ['changed', 'failed', 'msg', 'db', 'executed_commands', 'user', 'queries', 'user_removed'];
function picked(results: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(results)) {
    if (k === 'catalog') {
      out[k] = v;
      continue;
    }
    const r = v as Result;
    out[k] = Object.fromEntries(KEYS.filter((key) => r[key] !== undefined && !(key === 'failed' && r[key] === false)).map((key) => [key, r[key]]));
    // The collection joins role flags and privileges from Python sets, whose order changes from run
    // to run: queries are compared as their words (the expectations below spell out ours).
    if (Array.isArray(r.queries)) (out[k] as Result).queries = (r.queries as string[]).map((q) => q.split(/[ ,]+/).sort().join(' '));
  }
  return out;
}

describe('postgresql_db, postgresql_user and postgresql_privs against ansible-playbook', () => {
  it('same statuses, recap, registered results and catalog on two identical hosts', () => {
    const [a, b] = lab.hosts.map((h) => h.name);
    const started = Date.now();
    const ours = runProvision(lab, PLAYBOOK, ['-l', a]);
    const oursMs = Date.now() - started;
    const started2 = Date.now();
    const ansible = runAnsible(lab, PLAYBOOK, ['-l', b]);
    const ansibleMs = Date.now() - started2;
    // HAWEB_KW_DUMP=<dir>: keep both records, to see a difference in full.
    if (process.env.HAWEB_KW_DUMP) writeFileSync(join(process.env.HAWEB_KW_DUMP, 'postgresql.json'), JSON.stringify({ ours, ansible }, null, 2));
    process.stderr.write(`postgresql playbook: provision ${(oursMs / 1000).toFixed(1)} s, ansible-playbook ${(ansibleMs / 1000).toFixed(1)} s\n`);
    const lines = (r: { tasks: string[] }, host: string) => r.tasks.map((l) => l.replace(`${host}=`, 'host='));
    expect(lines(ours, a)).toEqual(lines(ansible, b));
    expect(ours.stats[a]).toEqual(ansible.stats[b]);
    const mine = picked(ours.files[a]['results.json'] as Record<string, unknown>);
    const theirs = picked(ansible.files[b]['results.json'] as Record<string, unknown>);
    expect(mine).toEqual(theirs);
    expect(ours.code).toBe(ansible.code);

    // What both did, spelled out.
    const r = ours.files[a]['results.json'] as Record<string, Result>;
    const pick = (x: Result, keys: string[]) => Object.fromEntries(keys.filter((k) => x[k] !== undefined).map((k) => [k, x[k]]));
    for (const k of Object.keys(r)) if (k !== 'catalog') r[k] = pick(r[k], KEYS.filter((key) => !(key === 'failed' && r[k][key] === false)));
    expect(r.db1).toEqual({ changed: true, db: 'hwapp', executed_commands: [`CREATE DATABASE "hwapp" OWNER "postgres" TEMPLATE "template0" ENCODING 'UTF-8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'`] });
    expect(r.db2).toEqual({ changed: false, db: 'hwapp', executed_commands: [] });
    expect(r.db3).toEqual({ changed: true, db: 'hwapp', executed_commands: ['ALTER DATABASE "hwapp" OWNER TO "hwuser"'] });
    expect(r.u1).toEqual({ changed: true, user: 'hwuser', queries: ['CREATE USER "hwuser" WITH ENCRYPTED PASSWORD %(password)s CREATEDB'] });
    expect(r.u2).toEqual({ changed: false, user: 'hwuser', queries: [] });
    expect(r.m2).toEqual({ changed: false, user: 'hwmd5', queries: [] });
    expect(r.u3.changed).toBe(true);
    expect(r.u5).toEqual({ changed: false, user: 'hwuser', queries: [] });
    expect(r.p2).toEqual({ changed: false, queries: ['GRANT CONNECT ON database "hwapp" TO "hwreader";'] });
    expect(r.p7.changed).toBe(false);
    expect(r.c1).toEqual({ changed: true, user: 'hwcheck', queries: ['CREATE USER "hwcheck" WITH ENCRYPTED PASSWORD %(password)s '] });
    expect(r.a1).toEqual({ changed: true, user: 'hwmd5', queries: ['DROP USER "hwmd5"'], user_removed: true });
    expect(r.c4).toEqual({ changed: true, user: 'hwmd5', queries: [], user_removed: true });
    expect(r.u4.queries).toEqual(['ALTER USER "hwuser" WITH NOCREATEDB LOGIN NOSUPERUSER VALID UNTIL %(expires)s CONNECTION LIMIT 5', `COMMENT ON ROLE "hwuser" IS 'the test user'`]);
    expect(r.p4.queries).toEqual(['GRANT SELECT,INSERT ON ALL TABLES IN SCHEMA "public" TO "hwreader";']);
    expect((r.catalog as unknown as string[]).some((l) => l.startsWith('hwuser|f|f|f|t|t|5|2030-01-01 00:00:00+00|the test user|SCRAM-SHA-256'))).toBe(true);
  });

  it('a second run changes only what the playbook drops and creates again', () => {
    const [a, b] = lab.hosts.map((h) => h.name);
    const ours = runProvision(lab, PLAYBOOK, ['-l', a]);
    const ansible = runAnsible(lab, PLAYBOOK, ['-l', b]);
    const lines = (r: { tasks: string[] }, host: string) => r.tasks.map((l) => l.replace(`${host}=`, 'host='));
    expect(lines(ours, a)).toEqual(lines(ansible, b));
    expect(ours.stats[a]).toEqual(ansible.stats[b]);
  });
});
