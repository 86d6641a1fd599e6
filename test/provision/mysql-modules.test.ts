/**
 * mysql_db (present/absent/dump/import), mysql_user and seboolean (ansible-examples' LAMP playbooks) side by side: the same
 * playbook run by `provision` on one lab host and by Debian's `ansible-playbook` (community.mysql with
 * PyMySQL) on the other, both hosts given mariadb-server (and python3-pymysql, which Ansible needs)
 * from the lab's package repository. The recaps, per-task statuses, registered results (filtered to
 * the keys a `register` user reads) and SHOW GRANTS after each privilege change must be the same.
 * Runs from the repo root: npx vitest run --config vitest.integration.config.ts test/provision/mysql-modules.test.ts
 */
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { labFromName, onHost, runAnsible, runProvision, type Lab } from './ansible-compare.js';

const ROOT = resolve(import.meta.dirname, '../..');
let lab: Lab;

beforeAll(async () => {
  lab = labFromName(inject('labName'));
  const labKit = await import('@haweb/lab');
  const repo = (await import(join(ROOT, 'scripts/compat/lab-repo.mjs'))) as {
    REPO_PORT: number;
    ensureRepo(rootfs: string, packages: string[]): string;
    startRepoServer(state: unknown, dir: string): number;
  };
  const state = await labKit.readLabState(lab.name);
  const missing = lab.hosts.filter((h) => onHost(lab, h.name, 'command -v mysqld >/dev/null && python3 -c "import pymysql" 2>/dev/null && echo yes || echo no').trim() !== 'yes');
  if (missing.length === 0) return;
  const dir = repo.ensureRepo(state.image.rootfs, ['mariadb-server', 'python3-pymysql']);
  const pid = repo.startRepoServer(state, dir);
  try {
    const source = `deb [trusted=yes] http://${state.gateway}:${repo.REPO_PORT}/ ./`;
    for (const h of missing) {
      onHost(lab, h.name, `echo '${source}' > /etc/apt/sources.list.d/haweb-mysql.list && apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q mariadb-server python3-pymysql >/dev/null 2>&1 && rm /etc/apt/sources.list.d/haweb-mysql.list`);
    }
  } finally {
    process.kill(pid, 'SIGTERM');
  }
});

describe('mysql_db, mysql_user and seboolean against MariaDB 10.11 on Debian', () => {
  it('do what community.mysql and ansible.posix do, and report it the same way', () => {
    const [a, p] = lab.hosts.map((h) => h.name);
    const same = (s: string, host: string) => s.replaceAll(host, 'HOST');
    let t = Date.now();
    const ours = runProvision(lab, '../mysql-modules/mysql.yml', ['-l', p]);
    const oursMs = Date.now() - t;
    t = Date.now();
    const ansible = runAnsible(lab, '../mysql-modules/mysql.yml', ['-l', a]);
    const ansibleMs = Date.now() - t;
    process.stderr.write(`mysql.yml: provision ${(oursMs / 1000).toFixed(1)} s, ansible-playbook ${(ansibleMs / 1000).toFixed(1)} s\n`);
    expect(ours.tasks.map((l) => same(l, p))).toEqual(ansible.tasks.map((l) => same(l, a)));
    expect(ours.stats[p]).toEqual(ansible.stats[a]);
    expect(JSON.parse(same(JSON.stringify(ours.files[p]), p))).toEqual(JSON.parse(same(JSON.stringify(ansible.files[a]), a)));
    expect(ours.code).toBe(ansible.code);

    const r = ours.files[p]['results.json'] as { dump: Record<string, unknown>[]; rows: string[]; db: Record<string, unknown>[]; user: Record<string, unknown>[]; seboolean: Record<string, unknown>[]; charset: string; login: string; left: string[] };
    expect(r.db.map((x) => x.changed)).toEqual([true, true, false, true, false, true, true, false]);
    expect(r.db[1].executed_commands).toEqual(["CREATE DATABASE `foodb` CHARACTER SET 'utf8mb4' COLLATE 'utf8mb4_unicode_ci'"]);
    expect(r.db[3]).toMatchObject({ db: 'foodb bardb', db_list: ['foodb', 'bardb'], executed_commands: ['CREATE DATABASE `bardb`'] });
    expect(r.db[4].msg).toBe(`unable to find /root/.my.cnf. Exception message: (1698, "Access denied for user 'root'@'localhost'")`);
    expect(r.user.map((x) => [x.changed, x.msg, x.password_changed])).toEqual([
      [true, 'User added', null],
      [true, 'User added', true],
      [false, 'User unchanged', false],
      [true, 'Password updated', true],
      [true, 'Password updated (new style)', true],
      [false, 'User unchanged', false],
      [true, 'New privileges granted', false],
      [true, "Privileges updated: granted ['USAGE'], revoked ['ALL']", false],
      [false, 'User unchanged', false],
      [true, "Privileges updated: granted ['UPDATE'], revoked []", false],
      [true, "Privileges updated: granted [], revoked ['INSERT']", false],
      [true, "Privileges updated: granted [], revoked ['GRANT']", false],
      [true, 'User added', true],
      [false, 'User unchanged', false],
      [true, 'User deleted', false],
      [true, 'User deleted', false],
      [false, "User doesn't exist", false],
      [true, 'TLS requires updated', false],
      [true, 'TLS requires updated', false],
      [false, 'User unchanged', false],
      [true, 'TLS requires updated', false],
      [true, 'TLS requires updated', false],
    ]);
    expect(ours.files[p]['create.txt']).toBe("CREATE USER `foouser`@`%` IDENTIFIED BY PASSWORD '*A119E35B8BD624A73A54A2E68BC4E889C2552FA9' REQUIRE ISSUER '/CN=ca' SUBJECT '/CN=app'\n");
    expect(ours.files[p]['grants3.txt']).toBe(
      "GRANT USAGE ON *.* TO `foouser`@`%` IDENTIFIED BY PASSWORD '*A119E35B8BD624A73A54A2E68BC4E889C2552FA9'\nGRANT SELECT, UPDATE ON `foodb`.* TO `foouser`@`%`\nGRANT ALL PRIVILEGES ON `bardb`.* TO `foouser`@`%`\n",
    );
    expect(r.dump.map((x) => [x.changed, x.failed])).toEqual([[true, false], [true, false], [true, false], [false, true], [true, false], [true, false], [false, true]]);
    expect(r.dump[2].executed_commands).toEqual(['set -o pipefail && /usr/bin/mysqldump --socket=/run/mysqld/mysqld.sock --databases foodb bardb --quick | /usr/bin/gzip > /tmp/haweb-mysql/both.sql.gz']);
    expect(r.dump[5].executed_commands).toEqual(['CREATE DATABASE `newdb`', "/usr/bin/gzip -dc /tmp/haweb-mysql/both.sql.gz | ['/usr/bin/mysql', '--socket=/run/mysqld/mysqld.sock', '--one-database', 'newdb']"]);
    expect([r.dump[3].msg, r.dump[6].msg]).toEqual(["Cannot dump database(s) 'nodb' - not found", 'target /tmp/haweb-mysql/none.sql does not exist on the host']);
    // The dumped rows came back; --one-database keeps a two-database dump out of newdb (its SELECT fails).
    expect(r.rows).toEqual(['2']);
    expect(r.seboolean[0]).toMatchObject({ failed: true, changed: false });
    expect(String(r.seboolean[0].msg)).toMatch(/^Failed to import the required Python library \(libselinux-python\)/);
    expect([r.charset, r.login, r.left]).toEqual(['utf8mb4\tutf8mb4_unicode_ci', 'foouser@%', ['1', '0']]);
  });

  it('the same playbook in check mode changes nothing on a fresh start and says the same', () => {
    const [a, p] = lab.hosts.map((h) => h.name);
    const reset = `mysql -e "DROP DATABASE IF EXISTS foodb; DROP DATABASE IF EXISTS bardb; DROP USER IF EXISTS 'foouser'@'%'; DROP USER IF EXISTS 'wp'@'localhost';"`;
    for (const h of [a, p]) onHost(lab, h, reset);
    const ours = runProvision(lab, '../mysql-modules/lamp.yml', ['-l', p, '--check']);
    const ansible = runAnsible(lab, '../mysql-modules/lamp.yml', ['-l', a, '--check']);
    const same = (s: string, host: string) => s.replaceAll(host, 'HOST');
    expect(ours.tasks.map((l) => same(l, p))).toEqual(ansible.tasks.map((l) => same(l, a)));
    expect(ours.stats[p]).toEqual(ansible.stats[a]);
    const left = (h: string) => onHost(lab, h, `mysql -N -e "SELECT COUNT(*) FROM mysql.user WHERE User = 'foouser'; SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'foodb'"`);
    expect(left(p)).toBe('0\n0\n');
    expect(left(a)).toBe('0\n0\n');
  });
});
