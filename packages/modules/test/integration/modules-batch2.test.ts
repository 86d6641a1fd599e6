/**
 * Issue 15's second batch of modules against ansible-playbook on the same lab hosts:
 * fixtures/modules-batch2.yml (find, slurp, fetch, tempfile, getent, raw, script, hostname, service_facts,
 * ansible.posix.sysctl as register users write them) is
 * run by provision, then by ansible-playbook (test/provision/ansible-compare.ts: same hosts, results
 * reset in between). Compared: the recap, each task's status per host, every registered result (key
 * names, types and values; only what differs by nature between two runs is normalised: times, inodes
 * and devices of re-created files, the controller folder fetch writes to, tempfile's random name), the
 * facts getent set, and the files fetch left on the controller.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { labFromName, onHost, runAnsible, runProvision, type Lab, type RunRecord } from '../../../../test/provision/ansible-compare.js';

// ansible-compare.ts looks playbooks up from its own fixtures folder.
const PLAYBOOK = '../../../../packages/modules/test/integration/fixtures/modules-batch2.yml';
const TREE = '/srv/haweb-b2';

let lab: Lab;
let roots: { ours: string; theirs: string };
let ours: RunRecord;
let theirs: RunRecord;

type Json = Record<string, unknown>;
/** Keys whose values differ between two runs by nature (the files were re-created by each run). */
const VOLATILE_ENTRY_KEYS = ['atime', 'ctime', 'inode', 'dev'];
const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v);

/** A registered result with what cannot be equal between two runs replaced by its shape. */
function normalise(name: string, r: Json, fetchRoot: string): Json {
  if (typeof r !== 'object' || r === null) return r;
  const out: Json = { ...r };
  // The engine keeps a module's diff as a list of before/after pairs (one per file); Ansible's
  // hostname registers its one pair as a dict. Same texts compared.
  if (Array.isArray(out.diff) && out.diff.length === 1) out.diff = out.diff[0];
  // The engine merges a module's facts from `facts`; Ansible's register users read `ansible_facts`,
  // which both give. The extra key is this engine's.
  if ('ansible_facts' in out) delete out.facts;
  if (Array.isArray(out.files)) {
    out.files = (out.files as Json[])
      .map((f) => Object.fromEntries(Object.entries(f).map(([k, v]) => [k, VOLATILE_ENTRY_KEYS.includes(k) ? typeOf(v) : v])))
      .sort((a, b) => String(a.path).localeCompare(String(b.path)));
  }
  if (typeof out.dest === 'string') out.dest = out.dest.replace(fetchRoot, '<fetch_root>');
  if (name.startsWith('tmp_') && typeof out.path === 'string') {
    // prefix + 8 random characters + suffix (Python and mktemp draw them from different alphabets).
    out.path = out.path.replace(/^(.*\/(?:ansible\.|build-))[A-Za-z0-9_]{8}((?:\.d)?)$/, '$1XXXXXXXX$2');
  }
  if (/^(raw|script)_/.test(name)) {
    // Ansible runs raw and script on a tty (ssh -tt): lines end in \r\n, stderr is merged into
    // stdout and ssh adds its own "Shared connection ... closed." to stderr. Compared: what a register
    // user reads of a command's outcome (rc, the lines it printed, changed/failed/skipped, msg).
    const keep = ['rc', 'changed', 'failed', 'skipped', 'msg'];
    const kept: Json = Object.fromEntries(Object.entries(out).filter(([k]) => keep.includes(k)));
    if (Array.isArray(out.stdout_lines)) kept.stdout_lines = (out.stdout_lines as string[]).map((l) => l.replace(/\r$/, ''));
    return kept;
  }
  return out;
}

/**
 * Ansible's hostname returns its diff whether or not --diff was asked for (the harness marks that
 * "+diff"); this engine shows a diff only under --diff, as Ansible's callbacks print them. The diff's
 * text is compared with the registered results.
 */
function sameDiffShown(tasks: string[]): string[] {
  return tasks.map((t) => (t.startsWith('hostname') ? t.replace(/\+diff/g, '') : t));
}

function results(run: RunRecord, host: string, fetchRoot: string): Json {
  const all = run.files[host]['results.json'] as Record<string, Json>;
  return Object.fromEntries(Object.entries(all).map(([k, v]) => [k, normalise(k, v, fetchRoot)]));
}

function listTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(root, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(root);
  return out;
}

beforeAll(() => {
  lab = labFromName(inject('labName'));
  const base = mkdtempSync(join(tmpdir(), 'haweb-fetch-'));
  roots = { ours: join(base, 'ours'), theirs: join(base, 'theirs') };
  ours = runProvision(lab, PLAYBOOK, ['-e', `fetch_root=${roots.ours}`]);
  theirs = runAnsible(lab, PLAYBOOK, ['-e', `fetch_root=${roots.theirs}`]);
});

afterAll(() => {
  if (roots) rmSync(join(roots.ours, '..'), { recursive: true, force: true });
  for (const h of lab?.hosts ?? []) onHost(lab, h.name, `rm -rf ${TREE}; rm -f /tmp/ansible.*`);
});

describe('issue 15 second batch: provision against ansible-playbook', () => {
  it('both runs succeed with the same recap and the same status for every task', () => {
    expect(ours.code, ours.output).toBe(0);
    expect(theirs.code, theirs.output).toBe(0);
    expect(ours.stats).toEqual(theirs.stats);
    expect(ours.tasks).toEqual(sameDiffShown(theirs.tasks));
  });

  it('registers the same results (names, types, values)', () => {
    for (const h of lab.hosts) {
      const mine = results(ours, h.name, roots.ours);
      const ansible = results(theirs, h.name, roots.theirs);
      expect(Object.keys(mine).sort()).toEqual(Object.keys(ansible).sort());
      for (const name of Object.keys(ansible)) expect(mine[name], `${h.name}: ${name}`).toEqual(ansible[name]);
    }
  });

  it('finds what the filters select (not only what Ansible finds)', () => {
    const r = results(ours, lab.hosts[0].name, roots.ours);
    const paths = (name: string): string[] => ((r[name].files as Json[]) ?? []).map((f) => String(f.path).slice(TREE.length + 1));
    expect(paths('find_top')).toEqual(['a.conf', 'b.conf', 'big.bin', 'old.log']);
    expect(paths('find_recurse')).toEqual(['.hid/h.conf', '.hidden.conf', 'a.conf', 'b.conf', 'sub/a b.conf', 'sub/deeper/c.conf', 'sub/s.txt']);
    expect(paths('find_dirs')).toEqual(['.hid', 'empty', 'sub']);
    expect(paths('find_age')).toEqual(['old.log']);
    expect(paths('find_contains')).toEqual(['a.conf']);
    expect(paths('find_whole')).toEqual(['b.conf']);
    expect(paths('find_links')).toEqual(['link.conf']);
    expect(r.find_skipped).toMatchObject({ matched: 2, msg: 'Not all paths examined, check warnings for details' });
    expect(Object.keys(r.find_skipped.skipped_paths as Json).sort()).toEqual(['/srv/haweb-b2-missing', `${TREE}/a.conf`]);
    expect(Buffer.from(String(r.slurped.content), 'base64').toString()).toBe('listen 80\nserver_name a;\n');
    expect(r.tmp_dir).toMatchObject({ changed: true, state: 'directory', mode: '0700' });
    expect(r.tmp_file).toMatchObject({ changed: true, state: 'file', mode: '0600', size: 0 });
  });

  it('runs raw and script as Ansible does, and sets the name in /etc/hostname', () => {
    const r = results(ours, lab.hosts[0].name, roots.ours);
    const host = lab.hosts[0].name;
    expect(r.raw_plain).toMatchObject({ rc: 0, changed: true, stdout_lines: ['hello 3', 'a', 'b'] });
    expect(r.raw_bash).toMatchObject({ stdout_lines: ['bash'] });
    expect(r.raw_fail).toMatchObject({ rc: 3, failed: true, msg: 'non-zero return code', stdout_lines: ['before'] });
    expect(r.script_args).toMatchObject({ rc: 0, changed: true });
    expect((r.script_args.stdout_lines as string[]).slice(0, 3)).toEqual(['args: 2', 'arg: one', 'arg: two words']);
    expect(r.script_chdir.stdout_lines).toEqual(['args: 1', 'arg: x', 'pwd: /srv', 'shell: bash']);
    expect(r.script_creates).toMatchObject({ skipped: true, changed: false, msg: '/etc/hostname exists, matching creates option' });
    expect(r.script_removes).toMatchObject({ skipped: true, msg: '/nonexistent-b2 does not exist, matching removes option' });
    expect(r.script_fail).toMatchObject({ rc: 4, failed: true });
    expect(r.hn_file).toBe(`${host}-b2`);
    expect(r.hn_set).toMatchObject({ changed: true, name: `${host}-b2`, ansible_facts: { ansible_hostname: `${host}-b2`, ansible_nodename: `${host}-b2` } });
    expect(r.hn_again).toMatchObject({ changed: false });
    expect(r.hn_back).toMatchObject({ changed: true, name: host });
    for (const h of lab.hosts) expect(onHost(lab, h.name, 'cat /etc/hostname').trim()).toBe(h.name);
  });

  it('gathers the services as Ansible does', () => {
    for (const h of lab.hosts) {
      expect(ours.files[h.name]['services.json']).toEqual(theirs.files[h.name]['services.json']);
      // sysv hosts name it ssh, systemd hosts ssh.service.
      expect(ours.files[h.name]['services.json']).toMatchObject({ ssh: { name: expect.stringMatching(/^ssh(\.service)?$/), state: 'running' } });
    }
  });

  it('sets kernel parameters in a sysctl file and the running kernel (ansible.posix.sysctl)', () => {
    const r = results(ours, lab.hosts[0].name, roots.ours);
    expect([r.sc_set, r.sc_again, r.sc_running, r.sc_absent].map((x) => (x as Json).changed)).toEqual([true, false, true, true]);
    expect(r.sc_state).toBe('net.ipv4.ip_forward=1\nnet.ipv4.ip_default_ttl=65\n1\n65');
    expect(r.sc_state_absent).toBe('net.ipv4.ip_forward=1');
  });

  it('sets the facts getent reads, as Ansible does', () => {
    for (const h of lab.hosts) {
      expect(ours.files[h.name]['facts.json']).toEqual(theirs.files[h.name]['facts.json']);
      expect(ours.files[h.name]['facts.json']).toMatchObject({ root_shell: '/bin/bash', has_root_group: true });
    }
  });

  it("leaves the same files on the controller (Ansible's dest/<host>/<path> layout, and flat)", () => {
    const mine = listTree(roots.ours);
    expect(mine).toEqual(listTree(roots.theirs));
    const hosts = lab.hosts.map((h) => h.name);
    expect(Object.keys(mine).sort()).toEqual(
      ['flat/b.conf', ...hosts.map((h) => `flat/${h}-`), ...hosts.map((h) => `tree/${h}${TREE}/a.conf`)].sort(),
    );
  });

  it('in check mode, the same tasks run, change or are skipped (fetch, tempfile and raw are skipped)', () => {
    const check = {
      ours: runProvision(lab, PLAYBOOK, ['--check', '-e', `fetch_root=${roots.ours}-check`]),
      theirs: runAnsible(lab, PLAYBOOK, ['--check', '-e', `fetch_root=${roots.theirs}-check`]),
    };
    expect(check.ours.code, check.ours.output).toBe(0);
    expect(check.ours.tasks).toEqual(sameDiffShown(check.theirs.tasks));
    expect(check.ours.stats).toEqual(check.theirs.stats);
    expect(check.ours.tasks.filter((t) => /^(fetch|tempfile|raw)/.test(t)).every((t) => !/=(ok|changed)/.test(t))).toBe(true);
  });
});
