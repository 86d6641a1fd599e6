/**
 * ansible.cfg read by provision as by ansible-core 2.14 (Debian's): for each file, `ansible-config dump
 * --format json` run in the same folder says what Ansible makes of it. The settings provision runs with
 * must carry Ansible's values (paths resolved against the file's folder, the environment winning), and
 * a setting provision refuses must be refused exactly when Ansible's value differs from its default.
 * No lab: ansible-config reads files only.
 * Runs from the repo root: npx vitest run --config vitest.integration.config.ts packages/cli/test/integration/ansible-config.test.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ansibleConfig, ConfigError, configuredRunOptions, type ConfiguredRunOptions } from '../../src/ansible-config.js';

const dir = mkdtempSync(join(tmpdir(), 'haweb-cfg-compare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** The environment both readers get: a home of our own (no ~/.ansible.cfg), nothing ANSIBLE_* from outside. */
function baseEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('ANSIBLE_')) env[k] = v;
  return { ...env, HOME: home, ...extra };
}

/** Ansible's view of ./ansible.cfg holding `text`: config name to value. */
function ansibleView(cwd: string, env: Record<string, string>): Record<string, unknown> {
  const r = spawnSync('ansible-config', ['dump', '--format', 'json'], { cwd, env, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) return { ERROR: (r.stderr || r.stdout).trim() };
  return Object.fromEntries((JSON.parse(r.stdout) as { name: string; value: unknown }[]).map((e) => [e.name, e.value]));
}

function folderWith(text: string | undefined): { cwd: string; home: string } {
  const cwd = join(dir, `c${n++}`);
  const home = join(cwd, 'home');
  mkdirSync(home, { recursive: true });
  if (text !== undefined) writeFileSync(join(cwd, 'ansible.cfg'), text);
  return { cwd, home };
}

let defaults: Record<string, unknown>;
beforeAll(() => {
  const { cwd, home } = folderWith(undefined);
  defaults = ansibleView(cwd, baseEnv(home));
  expect(defaults.ERROR).toBeUndefined();
});

describe('the settings provision runs with carry the values ansible-config shows', () => {
  const cases: Array<{ cfg: string; env?: Record<string, string>; name: string; ours: (o: ConfiguredRunOptions, exported: Record<string, string>) => unknown }> = [
    { cfg: '[defaults]\ninventory = inv/hosts, /etc/x\n', name: 'DEFAULT_HOST_LIST', ours: (o) => o.inventory },
    { cfg: '[defaults]\ninventory = inv/hosts\n', env: { ANSIBLE_INVENTORY: 'other' }, name: 'DEFAULT_HOST_LIST', ours: (o) => o.inventory },
    { cfg: '[defaults]\nroles_path = roles:~/r:$EXTRA/r:../up\n', env: { EXTRA: '/opt' }, name: 'DEFAULT_ROLES_PATH', ours: (_o, e) => e.ANSIBLE_ROLES_PATH?.split(':') },
    { cfg: '[defaults]\nlibrary = ./lib ; a comment\n', name: 'DEFAULT_MODULE_PATH', ours: (_o, e) => e.ANSIBLE_LIBRARY?.split(':') },
    { cfg: '[defaults]\ncollections_paths = c1:/c2\n', name: 'COLLECTIONS_PATHS', ours: (_o, e) => e.ANSIBLE_COLLECTIONS_PATH?.split(':') },
    { cfg: '[defaults]\nforks = 9\n', name: 'DEFAULT_FORKS', ours: (o) => o.forks },
    { cfg: '[defaults]\ngathering = smart\n', name: 'DEFAULT_GATHERING', ours: (o) => o.gathering },
    { cfg: '[defaults]\nany_errors_fatal = y\n', name: 'ANY_ERRORS_FATAL', ours: (o) => o.keywordDefaults.anyErrorsFatal },
    { cfg: '[defaults]\nno_log = on\n', name: 'DEFAULT_NO_LOG', ours: (o) => o.keywordDefaults.noLog },
    { cfg: '[defaults]\ntask_timeout = 30\n', name: 'TASK_TIMEOUT', ours: (o) => o.keywordDefaults.timeout },
    { cfg: '[defaults]\ntask_timeout = 0\n', name: 'TASK_TIMEOUT', ours: (o) => o.keywordDefaults.timeout ?? 0 },
    { cfg: '[defaults]\nstrategy = free\n', name: 'DEFAULT_STRATEGY', ours: (o) => o.keywordDefaults.strategy },
    { cfg: '[defaults]\ngathering = smart\n', env: { ANSIBLE_GATHERING: 'explicit' }, name: 'DEFAULT_GATHERING', ours: (o) => o.gathering },
    { cfg: '[defaults]\nforks = 9\n', env: { ANSIBLE_FORKS: '3' }, name: 'DEFAULT_FORKS', ours: (o) => o.forks },
    { cfg: '[defaults]\nremote_user = deploy\n', name: 'DEFAULT_REMOTE_USER', ours: (o) => o.remoteUser },
    { cfg: '[defaults]\nremote_port = 2222\n', name: 'DEFAULT_REMOTE_PORT', ours: (o) => o.remotePort },
    { cfg: '[defaults]\nprivate_key_file = keys/id\n', name: 'DEFAULT_PRIVATE_KEY_FILE', ours: (o) => o.privateKeyFile },
    { cfg: '[defaults]\nhost_key_checking = False\n', name: 'HOST_KEY_CHECKING', ours: (o) => o.hostKeyChecking },
    { cfg: '[defaults]\nhost_key_checking = nope\n', name: 'HOST_KEY_CHECKING', ours: (o) => o.hostKeyChecking },
    { cfg: '[defaults]\ntimeout = 33\n', name: 'DEFAULT_TIMEOUT', ours: (o) => o.timeoutSeconds },
    { cfg: '[defaults]\nvault_password_file = ~/pw\n', name: 'DEFAULT_VAULT_PASSWORD_FILE', ours: (_o, e) => e.ANSIBLE_VAULT_PASSWORD_FILE },
    { cfg: '[defaults]\nvault_identity_list = "a@x", b@y\n', name: 'DEFAULT_VAULT_IDENTITY_LIST', ours: (_o, e) => e.ANSIBLE_VAULT_IDENTITY_LIST?.split(',') },
    { cfg: '[privilege_escalation]\nbecome_ask_pass = yes\n', name: 'DEFAULT_BECOME_ASK_PASS', ours: (o) => o.becomeAskPass },
    { cfg: '[privilege_escalation]\nbecome = yes\n', name: 'DEFAULT_BECOME', ours: (o) => o.become.become },
    { cfg: '[privilege_escalation]\nbecome = no\n', name: 'DEFAULT_BECOME', ours: (o) => o.become.become },
    { cfg: '[privilege_escalation]\nbecome_method = su\n', name: 'DEFAULT_BECOME_METHOD', ours: (o) => o.become.becomeMethod },
    { cfg: '[privilege_escalation]\nbecome_user = app\n', name: 'DEFAULT_BECOME_USER', ours: (o) => o.become.becomeUser },
    { cfg: '[privilege_escalation]\nbecome_flags = -H -S\n', name: 'DEFAULT_BECOME_FLAGS', ours: (o) => o.become.becomeFlags },
    { cfg: '[defaults]\nask_vault_pass = 1\n', name: 'DEFAULT_ASK_VAULT_PASS', ours: (o) => o.askVaultPass },
    { cfg: '[diff]\nalways = on\n', name: 'DIFF_ALWAYS', ours: (o) => o.diffAlways },
    { cfg: '[tags]\nrun = a, b\nskip = c\n', name: 'TAGS_RUN', ours: (o) => o.runTags },
    { cfg: '[tags]\nrun = a, b\nskip = c\n', name: 'TAGS_SKIP', ours: (o) => o.skipTags },
    { cfg: '[defaults]\ninterpreter_python = /usr/bin/python3.11\n', name: 'INTERPRETER_PYTHON', ours: (_o, e) => e.ANSIBLE_PYTHON_INTERPRETER },
  ];
  it.each(cases)('$name from $cfg (environment $env)', ({ cfg, env, name, ours }) => {
    const { cwd, home } = folderWith(cfg);
    const e = baseEnv(home, env);
    const theirs = ansibleView(cwd, e);
    expect(theirs.ERROR).toBeUndefined();
    const config = ansibleConfig(e, cwd);
    expect(ours(configuredRunOptions(config.env, cwd), config.env as Record<string, string>)).toEqual(theirs[name]);
  });
});

describe('a setting provision refuses is refused exactly when Ansible runs with a value other than its default', () => {
  const cases: Array<[string, string]> = [
    ['[defaults]\nhash_behaviour = merge\n', 'DEFAULT_HASH_BEHAVIOUR'],
    ['[defaults]\nhash_behaviour = replace\n', 'DEFAULT_HASH_BEHAVIOUR'],
    ['[defaults]\nerror_on_undefined_vars = false\n', 'DEFAULT_UNDEFINED_VAR_BEHAVIOR'],
    ['[defaults]\nerror_on_undefined_vars = yes\n', 'DEFAULT_UNDEFINED_VAR_BEHAVIOR'],
    ['[defaults]\nforce_handlers = True\n', 'DEFAULT_FORCE_HANDLERS'],
    ['[defaults]\nforce_handlers = 0\n', 'DEFAULT_FORCE_HANDLERS'],
    ['[defaults]\njinja2_native = True\n', 'DEFAULT_JINJA2_NATIVE'],
    ['[defaults]\nprivate_role_vars = yes\n', 'DEFAULT_PRIVATE_ROLE_VARS'],
    ['[defaults]\ninject_facts_as_vars = False\n', 'INJECT_FACTS_AS_VARS'],
    ['[defaults]\nexecutable = /bin/bash\n', 'DEFAULT_EXECUTABLE'],
    ['[defaults]\nansible_managed = Ansible managed\n', 'DEFAULT_MANAGED_STR'],
    ['[defaults]\nansible_managed = Managed by ops\n', 'DEFAULT_MANAGED_STR'],
    ['[defaults]\nplaybook_vars_root = all\n', 'PLAYBOOK_VARS_ROOT'],
  ];
  it.each(cases)('%j (%s)', (cfg, name) => {
    const { cwd, home } = folderWith(cfg);
    const e = baseEnv(home);
    const theirs = ansibleView(cwd, e);
    expect(theirs.ERROR).toBeUndefined();
    const differs = JSON.stringify(theirs[name]) !== JSON.stringify(defaults[name]);
    let refused = false;
    try {
      ansibleConfig(e, cwd);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      refused = true;
    }
    expect(refused).toBe(differs);
  });
});

describe('a file Ansible cannot read, provision cannot either', () => {
  it.each([
    'inventory = x\n',
    '[defaults]\nforks = 1\n[defaults]\n',
    '[defaults]\nforks = 1\nforks = 2\n',
    '[defaults]\njust words\n',
    '[defaults]\ngathering = sometimes\n',
  ])('%j', (cfg) => {
    const { cwd, home } = folderWith(cfg);
    const e = baseEnv(home);
    expect(String(ansibleView(cwd, e).ERROR)).toMatch(/Error reading config file|Invalid value/);
    expect(() => ansibleConfig(e, cwd)).toThrow(/Error reading config file|not a valid value/);
  });
});
