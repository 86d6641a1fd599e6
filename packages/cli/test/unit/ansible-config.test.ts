/**
 * ansible.cfg as ansible-core 2.14 reads it: which file, how it is parsed, what provision runs with
 * (exported as the environment variables it reads, paths against the file's folder, the environment
 * winning) and what it refuses rather than run differently in silence. The same settings are compared
 * with `ansible-config dump` in test/integration/ansible-config.test.ts.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ansibleConfig, ConfigError, configuredRunOptions, findAnsibleConfig, parseAnsibleConfig } from '../../src/ansible-config.js';

const dir = mkdtempSync(join(tmpdir(), 'haweb-ansible-cfg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const folder = () => mkdtempSync(join(dir, `t${n++}-`));

describe('findAnsibleConfig', () => {
  it('ANSIBLE_CONFIG (a file, or a folder holding ansible.cfg), then ./ansible.cfg, then ~/.ansible.cfg', () => {
    const home = folder();
    const cwd = folder();
    const other = folder();
    expect(findAnsibleConfig({ HOME: home }, cwd)).toBeUndefined();
    writeFileSync(join(home, '.ansible.cfg'), '[defaults]\n');
    expect(findAnsibleConfig({ HOME: home }, cwd)).toBe(join(home, '.ansible.cfg'));
    writeFileSync(join(cwd, 'ansible.cfg'), '[defaults]\n');
    expect(findAnsibleConfig({ HOME: home }, cwd)).toBe(join(cwd, 'ansible.cfg'));
    writeFileSync(join(other, 'ansible.cfg'), '[defaults]\n');
    writeFileSync(join(other, 'x.cfg'), '[defaults]\n');
    expect(findAnsibleConfig({ HOME: home, ANSIBLE_CONFIG: join(other, 'x.cfg') }, cwd)).toBe(join(other, 'x.cfg'));
    expect(findAnsibleConfig({ HOME: home, ANSIBLE_CONFIG: other }, cwd)).toBe(join(other, 'ansible.cfg'));
    // ANSIBLE_CONFIG naming nothing: the next candidates.
    expect(findAnsibleConfig({ HOME: home, ANSIBLE_CONFIG: join(other, 'none.cfg') }, cwd)).toBe(join(cwd, 'ansible.cfg'));
  });

  it('a world-writable working folder is skipped', () => {
    const home = folder();
    const cwd = folder();
    writeFileSync(join(cwd, 'ansible.cfg'), '[defaults]\n');
    chmodSync(cwd, 0o777);
    expect(findAnsibleConfig({ HOME: home }, cwd)).toBeUndefined();
  });
});

describe('parseAnsibleConfig', () => {
  it('sections, = and :, lower-cased keys, comments, inline ; comments, continuation lines', () => {
    const text = '# top\n[defaults]\nInventory = hosts ; the hosts\nroles_path: a:b\n; comment\nforks=7\nlibrary = x;y\n\n[privilege_escalation]\nbecome = True\nask = first\n   second\n';
    expect(parseAnsibleConfig(text, 'a.cfg').entries).toEqual([
      { section: 'defaults', key: 'inventory', value: 'hosts', line: 3 },
      { section: 'defaults', key: 'roles_path', value: 'a:b', line: 4 },
      { section: 'defaults', key: 'forks', value: '7', line: 6 },
      { section: 'defaults', key: 'library', value: 'x;y', line: 7 },
      { section: 'privilege_escalation', key: 'become', value: 'True', line: 10 },
      { section: 'privilege_escalation', key: 'ask', value: 'first\nsecond', line: 11 },
    ]);
  });

  it.each([
    ['inventory = x\n', 'a.cfg:1: Error reading config file: File contains no section headers: "inventory = x"'],
    ['[defaults]\nforks = 1\n[defaults]\n', "a.cfg:3: Error reading config file: section 'defaults' already exists"],
    ['[defaults]\nforks = 1\nFORKS = 2\n', "a.cfg:3: Error reading config file: option 'forks' in section 'defaults' already exists"],
    ['[defaults]\njust words\n', 'a.cfg:2: Error reading config file: Source contains parsing errors: "just words"'],
  ])('%j: %s', (text, message) => {
    expect(() => parseAnsibleConfig(text, 'a.cfg')).toThrow(new ConfigError(message));
  });
});

/** ansibleConfig on a file holding `text` (found as ./ansible.cfg), with `env` (HOME set to a fresh folder). */
function configOf(text: string, env: Record<string, string> = {}) {
  const cwd = folder();
  writeFileSync(join(cwd, 'ansible.cfg'), text);
  return { cwd, home: join(cwd, 'home'), run: () => ansibleConfig({ HOME: join(cwd, 'home'), ...env }, cwd) };
}

describe('ansibleConfig: what provision runs with', () => {
  it('paths against the file\'s folder, ~ and $VARS expanded; lists unquoted; the environment wins', () => {
    const { cwd, run } = configOf(
      '[privilege_escalation]\nbecome = yes\nbecome_user = app\nbecome_method = su\n[defaults]\nany_errors_fatal = True\ntask_timeout = 30\nstrategy = ansible.builtin.free\nno_log = False\ninventory = inv/hosts, /etc/x\nroles_path = roles:~/r:$EXTRA/r\nlibrary = ./lib\nforks = 9\nremote_user = deploy\nprivate_key_file = keys/id\nhost_key_checking = False\ntimeout = 30\nvault_identity_list = "a@x", b@y\n[diff]\nalways = yes\n[tags]\nrun = a,b\n',
      { EXTRA: '/opt', ANSIBLE_FORKS: '4' },
    );
    const cfg = run();
    expect(cfg.exported).toEqual({
      ANSIBLE_INVENTORY: `${join(cwd, 'inv/hosts')},/etc/x`,
      ANSIBLE_ROLES_PATH: `${join(cwd, 'roles')}:${join(cwd, 'home', 'r')}:/opt/r`,
      ANSIBLE_LIBRARY: join(cwd, 'lib'),
      ANSIBLE_REMOTE_USER: 'deploy',
      ANSIBLE_PRIVATE_KEY_FILE: join(cwd, 'keys/id'),
      ANSIBLE_HOST_KEY_CHECKING: 'False',
      ANSIBLE_TIMEOUT: '30',
      ANSIBLE_VAULT_IDENTITY_LIST: 'a@x,b@y',
      ANSIBLE_DIFF_ALWAYS: 'yes',
      ANSIBLE_RUN_TAGS: 'a,b',
      ANSIBLE_BECOME: 'yes',
      ANSIBLE_BECOME_USER: 'app',
      ANSIBLE_BECOME_METHOD: 'su',
      ANSIBLE_ANY_ERRORS_FATAL: 'True',
      ANSIBLE_TASK_TIMEOUT: '30',
      ANSIBLE_STRATEGY: 'ansible.builtin.free',
      ANSIBLE_NO_LOG: 'False',
    });
    expect(configuredRunOptions(cfg.env, cwd)).toEqual({
      inventory: [join(cwd, 'inv/hosts'), '/etc/x'],
      forks: 4,
      gathering: undefined,
      keywordDefaults: { anyErrorsFatal: true, noLog: false, timeout: 30, strategy: 'free' },
      remoteUser: 'deploy',
      remotePort: undefined,
      privateKeyFile: join(cwd, 'keys/id'),
      hostKeyChecking: false,
      timeoutSeconds: 30,
      becomeAskPass: false,
      become: { become: true, becomeUser: 'app', becomeMethod: 'su' },
      askVaultPass: false,
      diffAlways: true,
      runTags: ['a', 'b'],
      skipTags: [],
    });
  });

  it('from the environment alone, a relative path is the working folder\'s', () => {
    const cwd = folder();
    expect(configuredRunOptions({ ANSIBLE_INVENTORY: 'hosts', ANSIBLE_PRIVATE_KEY_FILE: 'k' }, cwd)).toMatchObject({ inventory: [join(cwd, 'hosts')], privateKeyFile: join(cwd, 'k') });
  });

  it.each([
    ['ANSIBLE_FORKS', '0'],
    ['ANSIBLE_FORKS', 'many'],
    ['ANSIBLE_TIMEOUT', '1.5'],
  ])('%s=%s is refused', (name, value) => {
    expect(() => configuredRunOptions({ [name]: value }, folder())).toThrow(`${name}=${value}: not a whole number`);
  });

  it('output, speed and Ansible-internal settings, and sections provision has no use for, are read and ignored', () => {
    const { run } = configOf('[defaults]\nstdout_callback = yaml\nnocows = 1\nretry_files_enabled = False\npipelining = True\nlog_path = ./a.log\n[ssh_connection]\nssh_args = -o ControlMaster=auto\n[galaxy]\nserver = x\n[colors]\nok = green\n');
    expect(run().exported).toEqual({});
  });
});

describe('ansibleConfig: what provision refuses', () => {
  it.each([
    ['[defaults]\nhash_behaviour = merge\n', ':2: [defaults] hash_behaviour = merge: provision replaces dictionaries as Ansible does by default (merge is not implemented); remove it'],
    ['[defaults]\nforks = many\n', ':2: [defaults] forks = many: not a whole number of at least 1'],
    ['[defaults]\ngathering = sometimes\n', ":2: [defaults] gathering = sometimes: not a valid value (Ansible's are implicit, explicit, smart)"],
    ['[defaults]\nerror_on_undefined_vars = False\n', ':2: [defaults] error_on_undefined_vars = False:'],
    ['[defaults]\nforce_handlers = yes\n', ':2: [defaults] force_handlers = yes:'],
    ['[defaults]\nstrategy = host_pinned\n', ":2: [defaults] strategy = host_pinned: not a valid value (Ansible's are linear, free, ansible.builtin.linear, ansible.builtin.free)"],
    ['[defaults]\nansible_managed = Managed by me\n', ":2: [defaults] ansible_managed = Managed by me: provision's ansible_managed is Ansible's default"],
    ['[defaults]\ntransport = paramiko\n', ':2: [defaults] transport = paramiko: provision connects over SSH'],
  ])('%j', (text, message) => {
    const { cwd, run } = configOf(text);
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(`${join(cwd, 'ansible.cfg')}${message}`);
  });

  it.each([
    '[defaults]\nhash_behaviour = replace\nerror_on_undefined_vars = True\nforce_handlers = no\ntransport = ssh\nansible_managed = Ansible managed\n',
    // Plugin folders that hold nothing (or do not exist) add nothing.
    '[defaults]\nfilter_plugins = ./none:~/.ansible/plugins/filter\nlookup_plugins = ./empty\n',
  ])('at Ansible\'s default (or adding nothing): %j', (text) => {
    const { cwd, run } = configOf(text);
    mkdirSync(join(cwd, 'empty'));
    expect(run).not.toThrow();
  });

  it('a plugin folder with a plugin in it', () => {
    const { cwd, run } = configOf('[defaults]\nfilter_plugins = ./filters\n');
    mkdirSync(join(cwd, 'filters'));
    writeFileSync(join(cwd, 'filters', 'mine.py'), '');
    expect(run).toThrow(`${join(cwd, 'ansible.cfg')}:2: [defaults] filter_plugins = ./filters: provision cannot load Ansible's Python filter plugins; remove it`);
  });

  it('the environment wins: its default value lets the file\'s pass, its own value is refused naming it', () => {
    expect(configOf('[defaults]\nhash_behaviour = merge\n', { ANSIBLE_HASH_BEHAVIOUR: 'replace' }).run).not.toThrow();
    expect(configOf('[defaults]\n', { ANSIBLE_HASH_BEHAVIOUR: 'merge' }).run).toThrow(/^ANSIBLE_HASH_BEHAVIOUR=merge: .*; unset ANSIBLE_HASH_BEHAVIOUR$/);
    expect(configOf('[defaults]\ngathering = smart\n', { ANSIBLE_GATHERING: 'never' }).run).toThrow("ANSIBLE_GATHERING=never: not a valid value (Ansible's are implicit, explicit, smart)");
  });

  it('the vault commands read the file without refusing', () => {
    const { cwd } = configOf('[defaults]\nhash_behaviour = merge\nvault_password_file = pw\n');
    expect(ansibleConfig({ HOME: cwd }, cwd, { refuse: false }).exported).toEqual({ ANSIBLE_VAULT_PASSWORD_FILE: join(cwd, 'pw') });
  });
});
