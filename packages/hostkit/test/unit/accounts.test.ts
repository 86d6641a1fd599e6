/** Users and groups: the fact parsers and the plans, decided as Ansible's user and group modules decide. */
import { describe, expect, it } from 'vitest';
import {
  AccountPlanError,
  APPEND_WITHOUT_GROUPS_WARNING,
  localUserMissingWarning,
  passwordLooksUnhashed,
  UNHASHED_PASSWORD_WARNING,
  accountFacts,
  parseHomeMode,
  planGroup,
  planUser,
  stepText,
  type AccountFacts,
  type GroupArgs,
  type UserArgs,
} from '../../src/index.js';

describe('accountFacts parser', () => {
  it('reads passwd, shadow, groups, paths and the home mode', () => {
    const out = [
      '@passwd', 'deploy:x:1001:1001:Deploy User,,,:/home/deploy:/bin/bash',
      '@shadow', 'deploy:!$6$s$h:19700:1:90:7:::',
      '@group', 'root:x:0:', 'adm:x:4:syslog,deploy', 'deploy:x:1001:',
      '@paths', '/home',
      '@logindefs', 'UMASK\t\t027',
    ].join('\n');
    expect(accountFacts.parse(out, 0, { user: 'deploy', paths: ['/home/deploy', '/home'] })).toEqual({
      user: { name: 'deploy', password: 'x', uid: 1001, gid: 1001, comment: 'Deploy User,,,', home: '/home/deploy', shell: '/bin/bash' },
      shadow: { hash: '!$6$s$h', minDays: 1, maxDays: 90, expireDays: -1 },
      groups: [{ name: 'root', gid: 0, members: [] }, { name: 'adm', gid: 4, members: ['syslog', 'deploy'] }, { name: 'deploy', gid: 1001, members: [] }],
      paths: { '/home/deploy': false, '/home': true },
      homeMode: 0o750,
    });
  });
  it('a missing user has no entry', () => {
    expect(accountFacts.parse('@passwd\n@shadow\n@group\nroot:x:0:\n@paths\n@logindefs\n', 0, { user: 'x' })).toEqual({
      groups: [{ name: 'root', gid: 0, members: [] }], paths: {},
    });
  });
  // Ansible's create_homedir reads UMASK alone (a whole `UMASK <digits>` line, the last one), never HOME_MODE.
  it.each<[string, string, number | undefined]>([
    ['UMASK alone', 'UMASK 077', 0o700],
    ['HOME_MODE plays no part', 'UMASK 022\nHOME_MODE 0700', 0o755],
    ['tabs', 'UMASK\t\t027', 0o750],
    ['the last line wins', 'UMASK 022\nUMASK 077', 0o700],
    ['a trailing comment is no match', 'UMASK 022 # default', undefined],
    ['nothing: the mode is left as copied', '', undefined],
  ])('home mode: %s', (_, defs, mode) => expect(parseHomeMode(defs)).toBe(mode));
});

const group = (over: Partial<GroupArgs> = {}): GroupArgs => ({ name: 'app', state: 'present', system: false, non_unique: false, ...over });

describe('planGroup', () => {
  it.each([
    ['add', undefined, group(), ['groupadd app']],
    ['add a system group with a gid', undefined, group({ gid: 900, system: true, non_unique: true }), ['groupadd -g 900 -o -r app']],
    ['present, nothing to do', { name: 'app', gid: 1000, members: [] }, group(), []],
    ['present with the same gid', { name: 'app', gid: 1000, members: [] }, group({ gid: 1000 }), []],
    ['a new gid', { name: 'app', gid: 1000, members: [] }, group({ gid: 1001 }), ['groupmod -g 1001 app']],
    ['remove', { name: 'app', gid: 1000, members: [] }, group({ state: 'absent' }), ['groupdel app']],
    ['absent already', undefined, group({ state: 'absent' }), []],
  ])('%s', (_, current, args, want) => {
    expect(planGroup(current, args).map(stepText)).toEqual(want);
  });
});

const user = (over: Partial<UserArgs> = {}): UserArgs => ({
  name: 'deploy', state: 'present', non_unique: false, append: false, update_password: 'always', create_home: true,
  move_home: false, system: false, force: false, remove: false, ...over,
});
const groups = [{ name: 'adm', gid: 4, members: ['deploy'] }, { name: 'web', gid: 33, members: [] }, { name: 'deploy', gid: 1001, members: [] }];
const existing: AccountFacts = {
  user: { name: 'deploy', password: 'x', uid: 1001, gid: 1001, comment: '', home: '/home/deploy', shell: '/bin/sh' },
  shadow: { hash: '$6$a$b', minDays: 0, maxDays: 99999, expireDays: -1 },
  groups,
  paths: { '/home/deploy': true, '/home': true },
  homeMode: 0o700,
};
const fresh: AccountFacts = { groups: groups.filter((g) => g.name !== 'deploy'), paths: {}, homeMode: 0o755 };
const withLibuser = (f: AccountFacts): AccountFacts => ({ ...f, libuser: ['luseradd', 'lusermod', 'luserdel', 'lgroupmod', 'lchage'], pathEnv: '/usr/sbin:/usr/bin' });

describe('planUser', () => {
  it.each<[string, AccountFacts, UserArgs, string, string[]]>([
    ['add with defaults', fresh, user(), 'create', ['useradd -m deploy']],
    ['add when a group of that name exists: -N', { ...fresh, groups }, user(), 'create', ['useradd -N -m deploy']],
    [
      'add with everything roles set',
      fresh,
      user({ uid: 1500, group: 'web', groups: ['adm', 'web'], comment: 'Deploy', shell: '/bin/bash', password: '$6$x$y', system: true, expires: 1893456000 }),
      'create',
      ["useradd -u 1500 -g web -G adm,web -c Deploy -s /bin/bash -e 2030-01-01 -p '$6$x$y' -m -r deploy"],
    ],
    ['add without a home', fresh, user({ create_home: false }), 'create', ['useradd -M deploy']],
    [
      'add with a home whose parent is missing',
      { ...fresh, paths: { '/srv/homes/deploy': false, '/srv/homes': false } },
      user({ home: '/srv/homes/deploy' }),
      'create',
      [
        'if [ -d /etc/skel ]; then mkdir -p -- /srv/homes/deploy && cp -a -- /etc/skel/. /srv/homes/deploy; else mkdir -p -- /srv/homes/deploy; fi && chmod 0755 -- /srv/homes/deploy',
        'useradd -d /srv/homes/deploy -m deploy',
        'chown -R deploy: -- /srv/homes/deploy',
      ],
    ],
    ['present, nothing differs', existing, user({ shell: '/bin/sh', groups: ['adm'] }), 'modify', []],
    ['a new shell and comment', existing, user({ shell: '/bin/bash', comment: 'D' }), 'modify', ['usermod -c D -s /bin/bash deploy']],
    ['groups set exactly', existing, user({ groups: ['web'] }), 'modify', ['usermod -G web deploy']],
    ['groups appended', existing, user({ groups: ['web'], append: true }), 'modify', ['usermod -a -G web deploy']],
    ['append of a group already held', existing, user({ groups: ['adm'], append: true }), 'modify', []],
    ['no groups', existing, user({ groups: [] }), 'modify', ["usermod -G '' deploy"]],
    ['no groups with append changes nothing', existing, user({ groups: [], append: true }), 'modify', []],
    ['primary group by name', existing, user({ group: 'web' }), 'modify', ['usermod -g 33 deploy']],
    ['same password', existing, user({ password: '$6$a$b' }), 'modify', []],
    ['new password, on_create', existing, user({ password: '$6$n$n', update_password: 'on_create' }), 'modify', []],
    ['new password', existing, user({ password: '$6$n$n' }), 'modify', ["usermod -p '$6$n$n' deploy"]],
    ['lock', existing, user({ password_lock: true }), 'modify', ['usermod -L deploy']],
    ['home moved', existing, user({ home: '/srv/deploy', move_home: true }), 'modify', ['usermod -d /srv/deploy -m deploy']],
    [
      'a missing home is made',
      { ...existing, paths: { '/home/deploy': false, '/home': true } },
      user(),
      'modify',
      ['if [ -d /etc/skel ]; then mkdir -p -- /home/deploy && cp -a -- /etc/skel/. /home/deploy; else mkdir -p -- /home/deploy; fi && chmod 0700 -- /home/deploy', 'chown -R 1001:1001 -- /home/deploy'],
    ],
    ['password ages', existing, user({ password_expire_max: 90, password_expire_min: 0 }), 'modify', ['chage -M 90 deploy']],
    ['expiry set', existing, user({ expires: 1893456000 }), 'modify', ['usermod -e 2030-01-01 deploy']],
    ['expiry cleared', { ...existing, shadow: { ...existing.shadow!, expireDays: 21915 } }, user({ expires: -1 }), 'modify', ["usermod -e '' deploy"]],
    ['expiry equal', { ...existing, shadow: { ...existing.shadow!, expireDays: 21915 } }, user({ expires: 1893456000 }), 'modify', []],
    ['remove with home, forced', existing, user({ state: 'absent', remove: true, force: true }), 'remove', ['userdel -f -r deploy']],
    ['local: luserdel, without force', withLibuser(existing), user({ state: 'absent', remove: true, force: true, local: true }), 'remove', ['luserdel -r deploy']],
    [
      'local add: luseradd (-n for the same-named group, no -m, no -G, no -e), then lchage -E and lgroupmod -M',
      withLibuser({ ...fresh, groups }),
      user({ local: true, groups: ['adm', 'web'], expires: 2529881062, comment: 'D' }),
      'create',
      ['luseradd -n -c D deploy', 'lchage -E 29281 deploy', 'lgroupmod -M deploy adm', 'lgroupmod -M deploy web'],
    ],
    ['local add without a home, never expiring', withLibuser(fresh), user({ local: true, create_home: false, expires: -1 }), 'create', ['luseradd -M deploy', 'lchage -E -1 deploy']],
    [
      'local modify: lusermod, then lchage, then lgroupmod adds and removals',
      withLibuser(existing),
      user({ local: true, shell: '/bin/bash', groups: ['web'], expires: 0 }),
      'modify',
      ['lusermod -s /bin/bash deploy', 'lchage -E 0 deploy', 'lgroupmod -M deploy web', 'lgroupmod -m deploy adm'],
    ],
    ['local append: lgroupmod adds only, no lusermod -a', withLibuser(existing), user({ local: true, groups: ['web'], append: true }), 'modify', ['lgroupmod -M deploy web']],
    ['local expiry cleared', withLibuser({ ...existing, shadow: { ...existing.shadow!, expireDays: 0 } }), user({ local: true, expires: -1 }), 'modify', ['lchage -E -1 deploy']],
    ['local, nothing differs', withLibuser(existing), user({ local: true, expires: -2529881062 }), 'modify', []],
    [
      'a home moved from a missing one is made',
      { ...existing, paths: { '/srv/deploy': false, '/srv': true, '/home/deploy': false } },
      user({ home: '/srv/deploy', move_home: true }),
      'modify',
      [
        'usermod -d /srv/deploy -m deploy',
        'if [ -d /etc/skel ]; then mkdir -p -- /srv/deploy && cp -a -- /etc/skel/. /srv/deploy; else mkdir -p -- /srv/deploy; fi && chmod 0700 -- /srv/deploy',
        'chown -R 1001:1001 -- /srv/deploy',
      ],
    ],
    [
      'a home changed without move_home is made',
      { ...existing, paths: { '/srv/deploy': false, '/srv': true, '/home/deploy': true } },
      user({ home: '/srv/deploy' }),
      'modify',
      [
        'usermod -d /srv/deploy deploy',
        'if [ -d /etc/skel ]; then mkdir -p -- /srv/deploy && cp -a -- /etc/skel/. /srv/deploy; else mkdir -p -- /srv/deploy; fi && chmod 0700 -- /srv/deploy',
        'chown -R 1001:1001 -- /srv/deploy',
      ],
    ],
    [
      'no UMASK in login.defs: the copied home keeps its mode',
      { ...existing, homeMode: undefined, paths: { '/home/deploy': false, '/home': true } },
      user(),
      'modify',
      ['if [ -d /etc/skel ]; then mkdir -p -- /home/deploy && cp -a -- /etc/skel/. /home/deploy; else mkdir -p -- /home/deploy; fi', 'chown -R 1001:1001 -- /home/deploy'],
    ],
    ['expiry far in the past is no expiry', existing, user({ expires: -2529881062 }), 'modify', []],
    ['expiry at the epoch on a new account', fresh, user({ expires: 0 }), 'create', ['useradd -e 1970-01-01 -m deploy']],
    ['lock and a new password: one -p with !', existing, user({ password_lock: true, password: '$6$n$n' }), 'modify', ["usermod -p '!$6$n$n' deploy"]],
    ['unlock', { ...existing, shadow: { ...existing.shadow!, hash: '!$6$a$b' } }, user({ password_lock: false }), 'modify', ['usermod -U deploy']],
    ['unlock with the same password', { ...existing, shadow: { ...existing.shadow!, hash: '!$6$a$b' } }, user({ password_lock: false, password: '$6$a$b' }), 'modify', ['usermod -U deploy']],
    ['absent already', fresh, user({ state: 'absent' }), 'none', []],
  ])('%s', (_, facts, args, action, steps) => {
    const plan = planUser(facts, args);
    expect(plan.action).toBe(action);
    expect(plan.steps.map(stepText)).toEqual(steps);
  });

  it.each<[string, AccountFacts, UserArgs, boolean, string | undefined]>([
    ['add', fresh, user({ local: true }), false, 'lgroupmod'],
    ['add with lchage missing', { ...fresh, libuser: ['luseradd', 'lgroupmod'] }, user({ local: true }), false, 'lchage'],
    ['add in check mode (Ansible stops first)', fresh, user({ local: true }), true, undefined],
    ['modify, even in check mode', existing, user({ local: true }), true, 'lgroupmod'],
    ['remove', existing, user({ local: true, state: 'absent' }), false, 'luserdel'],
    ['absent already', fresh, user({ local: true, state: 'absent' }), false, undefined],
  ])('local without libuser: %s', (_, facts, args, check, missing) => {
    const plan = () => planUser({ ...facts, pathEnv: facts.pathEnv ?? '/usr/bin:/bin' }, args, check);
    if (missing === undefined) expect(plan).not.toThrow();
    else expect(plan).toThrow(new AccountPlanError(`Failed to find required executable "${missing}" in paths: /usr/bin:/bin:/sbin:/usr/sbin:/usr/local/sbin`));
  });

  it('reads which libuser commands a host has, with local', () => {
    const out = ['@passwd', '@shadow', '@group', '@paths', '@logindefs', '@libuser', 'luseradd', 'lchage', '@path', '/usr/sbin:/usr/bin', ''].join('\n');
    expect(accountFacts.parse(out, 0, { user: 'x', local: true })).toEqual({ groups: [], paths: {}, libuser: ['luseradd', 'lchage'], pathEnv: '/usr/sbin:/usr/bin' });
    expect(accountFacts.command({ user: 'x', local: true })).toContain('command -v "$t"');
    expect(accountFacts.command({ user: 'x' })).not.toContain('@libuser');
  });

  it('refuses umask with local, as Ansible does', () => {
    expect(() => planUser(fresh, user({ umask: '077', local: true }))).toThrow(new AccountPlanError("'umask' can not be used with 'local'"));
  });

  const missing = localUserMissingWarning('deploy');
  it.each<[string, AccountFacts, UserArgs, boolean, string[]]>([
    ['none', existing, user({ password: '$6$rounds=656000$TT4O7jz2M57npccl$33LF6FcUMSW11qrESXL1HX0BS.bsiT6aenFLLiVpsQh6hDtI9pJh5iY7x8J7ePkN4fP8hmElidHXaeD51pbGS.' }), false, []],
    ['a plain-text password', existing, user({ password: 'plaintextpassword' }), false, [UNHASHED_PASSWORD_WARNING]],
    ['append without groups', existing, user({ append: true }), false, [APPEND_WITHOUT_GROUPS_WARNING]],
    ['append without groups, then a plain-text password', existing, user({ append: true, password: 'x' }), false, [APPEND_WITHOUT_GROUPS_WARNING, UNHASHED_PASSWORD_WARNING]],
    ['local, present already', withLibuser(existing), user({ local: true }), false, []],
    ['local, added', withLibuser(fresh), user({ local: true }), false, [missing]],
    ['local, added with groups: looked up again', withLibuser(fresh), user({ local: true, groups: ['adm'] }), false, [missing, missing]],
    ['local, added in check mode', fresh, user({ local: true, groups: ['adm'] }), true, [missing]],
    ['local, removed: looked up after', withLibuser(existing), user({ local: true, state: 'absent' }), false, [missing]],
    ['local, removed in check mode', existing, user({ local: true, state: 'absent' }), true, []],
    ['local, absent already: before and after', fresh, user({ local: true, state: 'absent' }), false, [missing, missing]],
  ])('warnings: %s', (_, facts, args, check, want) => {
    expect(planUser(facts, args, check).warnings).toEqual(want);
  });

  it.each<[string, boolean]>([
    ['$6$rounds=656000$TT4O7jz2M57npccl$33LF6FcUMSW11qrESXL1HX0BS.bsiT6aenFLLiVpsQh6hDtI9pJh5iY7x8J7ePkN4fP8hmElidHXaeD51pbGS.', false],
    ['$6$rounds=656000$tgK3gYTyRLUmhyv2$lAFrYUQwn7E6VsjPOwQwoSx30lmpiU9r/E0Al7tzKrR9mkodcMEZGe9OXD0H/clOn6qdsUnaL4zefy5fG+++++', true],
    ['$6$salt$short', true],
    ['$1$salt$0123456789012345678901', false],
    ['$y$j9T$salt$hash', false],
    ['plaintextpassword', true],
    ['$only', true],
    ['!', false],
    ['*', false],
    ['*************', false],
    ['a:b$c$d', true],
    ['', false],
  ])('password %s looks unhashed: %s', (password, want) => expect(passwordLooksUnhashed(password)).toBe(want));

  it.each([
    ['a primary group that does not exist', user({ group: 'nosuch' })],
    ['a supplementary group that does not exist', user({ groups: ['adm', 'nosuch'] })],
  ])('refuses %s, as Ansible does', (_, args) => {
    expect(() => planUser(existing, args)).toThrow(new AccountPlanError(`Group nosuch does not exist`));
  });
});
