/**
 * The fourth batch of issue 15's modules (uri, reboot, package_facts, apt_repository, apt_key, git),
 * run by ansible-playbook on one lab host and by provision on the other (fixtures/batch4/<module>.yml):
 * the registered results and the host states must be equal, and a second provision run must change
 * nothing where the fixture's tasks are idempotent. What the hosts lack (git, gpg, python3-apt for
 * Ansible's own apt modules) comes from a LAN repository the test builds from the controller's installed
 * packages and serves from the lab's client namespace, with the uri fixture's HTTP server: nothing
 * comes from the internet.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildLanRepository } from './support/lan-debs.js';

const ROOT = resolve(import.meta.dirname, '../../../..');
const CLI = join(ROOT, 'packages/cli/dist/provision.js');
const LAB_CLI = join(ROOT, 'packages/lab/dist/cli.js');
const FIXTURES = join(import.meta.dirname, 'fixtures/batch4');
/** Installed on the controller, re-packed for the hosts: what git, apt-key and Ansible's apt modules need beyond the image. */
const LAN_PACKAGES = ['git', 'git-man', 'liberror-perl', 'libcurl3-gnutls', 'gpg', 'gpgconf', 'libassuan0', 'gpg-agent', 'pinentry-curses', 'libnpth0', 'python3-apt', 'python-apt-common', 'distro-info-data'];
const LAN_ORIGIN = 'haweb-mdb-test';

interface LabJson {
  hosts: { name: string; address: string }[];
  client: { netns: string; address: string };
}

let labName: string;
let lab: LabJson;
let inventory: string;
let www: string;
let gnupg: string;
const servers: ChildProcess[] = [];
/** Each host's packages before the test. */
const had = new Map<string, string>();
const keys = { key1Id: '', key2Id: '', key2: '' };

function onHost(host: string, script: string, timeout = 120_000): string {
  return execFileSync(process.execPath, [LAB_CLI, 'exec', '--name', labName, host, '--', 'sh', '-c', script], { encoding: 'utf8', timeout });
}

function run(argv: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; out: string } {
  const r = spawnSync(argv[0], argv.slice(1), { cwd: ROOT, encoding: 'utf8', timeout: 900_000, env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout + r.stderr };
}

function runAnsible(playbook: string, host: string, vars: Record<string, string>) {
  return run(['ansible-playbook', '-i', inventory, '-l', host, join(FIXTURES, playbook), '-e', JSON.stringify(vars)], {
    ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: '0', ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
  });
}

function runProvision(playbook: string, host: string, vars: Record<string, string>) {
  return run([process.execPath, CLI, 'run', join(FIXTURES, playbook), '-i', inventory, '--limit', host, '-e', JSON.stringify(vars)], { NO_COLOR: '1' });
}

/** Keys whose values differ between any two runs (times): compared by presence. */
const VOLATILE = new Set(['elapsed', 'date', 'start', 'end', 'delta']);
/** Display plumbing (Ansible's invocation, warnings, deprecations, diff) and the executor's own `facts`: not compared. */
const DROPPED = new Set(['invocation', 'warnings', 'deprecations', 'diff', 'facts']);

function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([k]) => !DROPPED.has(k))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => (VOLATILE.has(k) ? [k, '<present>'] : [k, normalise(v)])),
  );
}

function registered(host: string, dir: string): Record<string, unknown> {
  return normalise(JSON.parse(onHost(host, `cat ${dir}/registered.json`))) as Record<string, unknown>;
}

const theirs = () => lab.hosts[0].name;
const ours = () => lab.hosts[1].name;

/** The playbook by ansible-playbook on the first host and by provision on the second; what each registered. */
function both(playbook: string, dir: string, vars: Record<string, string> = {}) {
  const a = runAnsible(playbook, theirs(), { server: lab.client.address, ...vars });
  expect(a.code, a.out).toBe(0);
  const p = runProvision(playbook, ours(), { server: lab.client.address, ...vars });
  expect(p.code, p.out).toBe(0);
  return { want: registered(theirs(), dir), got: registered(ours(), dir), provisionOutput: p.out };
}

/**
 * A read-only playbook by both tools on the same host, ansible-playbook first: for facts that read the
 * host's own state (package_facts reads apt's lists, which the earlier tests, run by a different tool
 * on each host, may have left different), the same host is the fair comparison.
 */
function sameHost(playbook: string, dir: string, vars: Record<string, string> = {}) {
  const a = runAnsible(playbook, ours(), { server: lab.client.address, ...vars });
  expect(a.code, a.out).toBe(0);
  const want = registered(ours(), dir);
  const p = runProvision(playbook, ours(), { server: lab.client.address, ...vars });
  expect(p.code, p.out).toBe(0);
  return { want, got: registered(ours(), dir) };
}

function expectSameResults(want: Record<string, unknown>, got: Record<string, unknown>, skip: readonly string[] = []) {
  for (const key of Object.keys(want).filter((k) => !skip.includes(k))) expect({ [key]: got[key] }).toEqual({ [key]: want[key] });
}

/** provision's recap line for the host: `changed=N`. */
function changedCount(output: string): number {
  const m = /changed=(\d+)/.exec(output.split('\n').filter((l) => l.includes(ours())).pop() ?? '');
  if (!m) throw new Error(`no recap in provision's output:\n${output}`);
  return Number(m[1]);
}

async function waitForHttp(url: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const r = spawnSync(process.execPath, [LAB_CLI, 'exec', '--name', labName, lab.hosts[0].name, '--', 'curl', '-s', '-o', '/dev/null', url]);
    if (r.status === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer from the lab`);
}

beforeAll(async () => {
  labName = inject('labName');
  const labDir = `/var/lib/haweb/lab/${labName}`;
  inventory = join(labDir, 'inventory.yml');
  lab = JSON.parse(readFileSync(join(labDir, 'lab.json'), 'utf8')) as LabJson;

  www = mkdtempSync(join(tmpdir(), 'haweb-batch4-www-'));
  buildLanRepository(www, LAN_PACKAGES, LAN_ORIGIN);
  // The same flat repository under other paths, for apt_repository's distinct lines.
  for (const alias of ['mirror', 'm2', 'm3']) symlinkSync('.', join(www, alias));

  // Two signing keys of our own, made for this run.
  gnupg = mkdtempSync(join(tmpdir(), 'haweb-batch4-gnupg-'));
  const gpg = (...args: string[]) => execFileSync('gpg', ['--homedir', gnupg, '--batch', '--quiet', ...args], { encoding: 'utf8' });
  gpg('--passphrase', '', '--quick-gen-key', 'haweb test key 1 <key1@lab.invalid>', 'ed25519', 'sign', 'never');
  gpg('--passphrase', '', '--quick-gen-key', 'haweb test key 2 <key2@lab.invalid>', 'ed25519', 'sign', 'never');
  const fprs = gpg('--with-colons', '--list-keys').split('\n').filter((l) => l.startsWith('fpr:')).map((l) => l.split(':')[9]);
  [keys.key1Id, keys.key2Id] = [fprs[0], fprs[1]];
  mkdirSync(join(www, 'keys'));
  writeFileSync(join(www, 'keys/key1.asc'), gpg('--armor', '--export', keys.key1Id));
  keys.key2 = gpg('--armor', '--export', keys.key2Id);

  const client = lab.client;
  servers.push(spawn('ip', ['netns', 'exec', client.netns, '/usr/bin/python3', '-m', 'http.server', '8124', '--bind', client.address, '--directory', www], { stdio: 'ignore' }));
  servers.push(spawn('ip', ['netns', 'exec', client.netns, '/usr/bin/python3', join(FIXTURES, 'uri_server.py'), client.address, '8125'], { stdio: 'ignore' }));
  await waitForHttp(`http://${client.address}:8124/Release`);
  await waitForHttp(`http://${client.address}:8125/json`);

  // Both hosts get the same tools from the LAN repository (a sources file of their own, removed at the end with what it installed).
  for (const host of lab.hosts) {
    had.set(host.name, onHost(host.name, "dpkg-query -W -f '${Package}\\n' | sort"));
    onHost(
      host.name,
      `printf 'deb [trusted=yes] http://${client.address}:8124/ ./\\n' > /etc/apt/sources.list.d/haweb-mdb-setup.list && ` +
        'apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends git gpg gpg-agent python3-apt >/dev/null',
      600_000,
    );
  }
}, 900_000);

afterAll(() => {
  // The hosts as they were: the packages the test added purged, its sources (the set-up's, apt_repository's) and their lists removed.
  for (const host of lab?.hosts ?? []) {
    const old = new Set((had.get(host.name) ?? '').split('\n').filter(Boolean));
    const added = onHost(host.name, "dpkg-query -W -f '${Package}\\n' | sort").split('\n').filter((p) => p && !old.has(p));
    onHost(
      host.name,
      (added.length ? `DEBIAN_FRONTEND=noninteractive apt-get purge -y -q ${added.join(' ')} >/dev/null 2>&1; ` : '') +
        `rm -f /etc/apt/sources.list.d/haweb-mdb-*.list /etc/apt/sources.list.d/*${lab.client.address.replaceAll('.', '_')}*.list /var/lib/apt/lists/*${lab.client.address}*; ` +
        `sed -i '/${lab.client.address.replaceAll('.', '\\.')}:8124/d' /etc/apt/sources.list 2>/dev/null; true`,
      600_000,
    );
  }
  for (const s of servers) if (s.pid) process.kill(s.pid);
  if (www) rmSync(www, { recursive: true, force: true });
  if (gnupg) {
    // Key generation started a gpg-agent for this home: stop it before removing the folder.
    spawnSync('gpgconf', ['--homedir', gnupg, '--kill', 'gpg-agent']);
    rmSync(gnupg, { recursive: true, force: true });
  }
});

describe('uri', () => {
  it('registers the same results and leaves the same files as ansible-playbook', () => {
    const { want, got } = both('uri.yml', '/srv/haweb-uri');
    // A task skipped in check mode is the executor's result, worded differently from Ansible's (not this module's).
    expectSameResults(want, got, ['check']);
    expect(got.check).toMatchObject({ skipped: true, changed: false });
    const files = (h: string) => onHost(h, "cd /srv/haweb-uri && find . ! -name registered.json -printf '%p %y %m %u %g %s\\n' | sort && sha256sum out/file.txt");
    expect(files(ours())).toBe(files(theirs()));
    // What the playbook is about, beyond agreeing with Ansible.
    expect(want.json).toMatchObject({ status: 200, json: { hello: 'lab', n: 1, list: [1, 2] }, content_type: 'application/json' });
    expect(want.post).toMatchObject({ status: 201, json: { method: 'POST', content_type: 'application/json', x_test: 'batch4', body: '{"name": "web", "ports": [80, 443], "tls": true}' } });
    expect(want.form).toMatchObject({ json: { method: 'PUT', body: 'user=a+b&list=1&list=2' } });
    expect(want.redirect).toMatchObject({ redirected: true, status: 200 });
    expect(want.e404).toMatchObject({ failed: true, status: 404 });
    expect(want.dest2).toMatchObject({ status: 304, changed: false });
    expect(want.multipart).toMatchObject({ status: 200, json: { text_field: { value: 'value1', type: 'text/plain' }, typed: { filename: 'fake.txt', value: 'text based content' }, from_file: { filename: 'uri_server.py' } } });
    expect(want.multipart_bad).toMatchObject({ failed: true, msg: 'failed to parse body as form-multipart: value must be a string, or mapping, cannot be type int' });
    expect(want.redirect_auth).toMatchObject({ json: { authorization: expect.stringMatching(/^Basic /) } });
    expect(want.unredirected).toMatchObject({ json: { authorization: null } });
  });
});

describe('git', () => {
  it('registers the same results and leaves the same checkouts as ansible-playbook', () => {
    const { want, got } = both('git.yml', '/srv/haweb-git');
    expectSameResults(want, got);
    const state = (h: string) =>
      onHost(h, 'cd /srv/haweb-git && for c in c*; do printf "%s %s %s\\n" "$c" "$(git -C $c rev-parse HEAD)" "$(git -C $c branch --show-current)"; git -C $c status --porcelain; (cd $c && find . -path ./.git -prune -o -type f -printf "%p %m\\n" | sort); done');
    expect(state(ours())).toBe(state(theirs()));
    expect(want.clone).toMatchObject({ changed: true, before: null });
    expect(want.again).toMatchObject({ changed: false });
    expect(want.mods).toMatchObject({ failed: true });
    expect(want.update).toMatchObject({ changed: true });
    // submodules, separate_git_dir, archive, verify_commit, bare, umask
    expect(want.sub_clone).toMatchObject({ changed: true });
    expect(want.sub_same).toMatchObject({ changed: false });
    expect(want.sub_track).toMatchObject({ changed: true, submodules_changed: true });
    expect(want.sep_move).toMatchObject({ changed: true, git_dir_before: '/srv/haweb-git/sep1', git_dir_now: '/srv/haweb-git/sep2' });
    expect(want.sep_exists).toMatchObject({ failed: true });
    expect(want.archive_again).toMatchObject({ changed: false });
    expect(want.archive_prefix).toMatchObject({ changed: true });
    expect(want.archive_bad).toMatchObject({ failed: true });
    expect(want.verify).toMatchObject({ failed: true, msg: 'Failed to verify GPG signature of commit/tag "HEAD"' });
    expect(want.archive_list).toEqual(['a.txt', 'p/', 'p/a.txt', 'a.txt']);
    // --diff: a clone names its commit; a move is `git diff` (check mode fetches first); no move, no diff
    const diffs = want.diffs as unknown[];
    expect(diffs[0]).toMatchObject({ prepared: expect.stringMatching(/^>> Newly checked out [0-9a-f]{40}$/) });
    expect(diffs[1]).toMatchObject({ prepared: expect.stringContaining('+new') });
    expect(diffs[2]).toEqual(diffs[1]);
    expect(diffs[3]).toBe('none');
    expect(diffs[4]).toMatchObject({ prepared: expect.stringMatching(/^>> Newly checked out [0-9a-f]{40}$/) });
  });
});

describe('apt_key', () => {
  it('registers the same results and leaves the same keyrings as ansible-playbook', () => {
    const vars = { key1_short: keys.key1Id.slice(-8), key2_id: keys.key2Id, key2: keys.key2 };
    const { want, got } = both('apt_key.yml', '/srv/haweb-ak', vars);
    expectSameResults(want, got);
    const rings = (h: string) =>
      onHost(h, 'for k in /etc/apt/trusted.gpg /etc/apt/trusted.gpg.d/haweb-test.gpg; do [ -e "$k" ] || continue; echo "$k $(stat -c %a "$k")"; gpg --no-default-keyring --keyring "$k" --with-colons --list-keys 2>/dev/null | grep "^fpr"; done');
    expect(rings(ours())).toBe(rings(theirs()));
    expect(want.file).toMatchObject({ changed: true, fp: keys.key1Id.slice(-16) });
    expect(want.file2).toMatchObject({ changed: false });
    expect(want.absent).toMatchObject({ changed: true });
    expect(want.absent2).toMatchObject({ changed: false });
  });
});

describe('apt_repository', () => {
  it('registers the same results and leaves the same sources files as ansible-playbook', () => {
    const { want, got } = both('apt_repository.yml', '/srv/haweb-ar');
    // apt-cache policy's output is the task's (command), compared through the files below.
    expectSameResults(want, got, ['policy']);
    const sources = (h: string) => onHost(h, 'cd /etc/apt && for f in sources.list sources.list.d/*; do [ -e "$f" ] && { echo "== $f $(stat -c %a "$f")"; cat "$f"; }; done; true');
    expect(sources(ours())).toBe(sources(theirs()));
    expect(want.add).toMatchObject({ changed: true });
    expect(want.again).toMatchObject({ changed: false });
    expect(want.dead).toMatchObject({ failed: true });
    expect(String((got.policy as { stdout: string }).stdout)).toContain(`http://${lab.client.address}:8124/mirror ./ Packages`);
  });
});

describe('package_facts', () => {
  it('registers the same packages as ansible-playbook (python3-apt)', () => {
    const { want, got } = sameHost('package_facts.yml', '/srv/haweb-pf');
    expectSameResults(want, got);
    const packages = (want.auto as { ansible_facts: { packages: Record<string, { origin: string; version: string }[]> } }).ansible_facts.packages;
    expect(packages.git[0].origin).toBe(LAN_ORIGIN);
    expect(want.rpm).toMatchObject({ failed: true });
  });
});

describe('a second run', () => {
  it('changes nothing for git, apt_key and apt_repository on the host provision converged', () => {
    const again = runProvision('rerun.yml', ours(), { server: lab.client.address, key2_id: keys.key2Id });
    expect(again.code, again.out).toBe(0);
    expect(changedCount(again.out), again.out).toBe(0);
  });
});

describe('reboot', () => {
  it('reboots through the host\'s init and registers the same results as ansible-playbook', () => {
    const { want, got } = both('reboot.yml', '/srv/haweb-rb');
    // A missing reboot command is an error of Ansible's action (failed and msg only); the executor adds changed: false to ours.
    expectSameResults(want, got, ['bad']);
    expect(got.bad).toEqual({ ...(want.bad as object), changed: false });
    for (const host of [theirs(), ours()]) {
      const [b0, b1, b2] = ['boot0', 'boot1', 'boot2'].map((f) => onHost(host, `cat /srv/haweb-rb/${f}`).trim());
      expect(new Set([b0, b1, b2]).size, `${host}: three boots`).toBe(3);
    }
    expect(want.reboot).toMatchObject({ changed: true, rebooted: true });
    expect(want.check).toMatchObject({ changed: true, rebooted: true });
    expect(want.bad).toMatchObject({ failed: true });
  });
});
