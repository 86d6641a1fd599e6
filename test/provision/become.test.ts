/**
 * Who runs it: remote_user, become_user, become_method (sudo, su), become_flags and the become password,
 * each playbook run by `provision` and by Debian's `ansible-playbook` on the same lab hosts, logged in
 * as unprivileged users the setup creates: the recap, each task's status, what whoami said, the files
 * left behind with their owners and modes, and the exit code must be the same; each test also says
 * what they are.
 * Runs from the repo root: npx vitest run --config vitest.integration.config.ts test/provision/become.test.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { compare, expectSame, FIXTURES, KW_DIR, labFromName, onHost, type Lab } from './ansible-compare.js';

const CLI = resolve(import.meta.dirname, '../../packages/cli/dist/provision.js');

/** Test users' passwords (lab hosts only). */
const PW = { root: 'Root-Pw-7f3a', deploy: 'Deploy-Pw-91c2', deploypw: 'Deploypw-Pw-4be8' };

let lab: Lab;
let hosts: string[];
let scratch: string;
const rootHash: Record<string, string> = {};

beforeAll(() => {
  lab = labFromName(inject('labName'));
  hosts = lab.hosts.map((h) => h.name).sort();
  scratch = mkdtempSync(join(tmpdir(), 'haweb-become-'));
  // Over root's SSH-free lab exec: `deploy` (sudo without a password), `deploypw` (sudo with its
  // password), both logging in with the lab's key; root gets a password for su.
  for (const h of hosts) {
    rootHash[h] = onHost(lab, h, 'getent shadow root | cut -d: -f2').trim();
    onHost(
      lab,
      h,
      [
        'set -e',
        'for u in deploy deploypw; do',
        '  id "$u" >/dev/null 2>&1 || useradd -m -s /bin/bash "$u"',
        '  install -d -o "$u" -g "$u" -m 700 /home/$u/.ssh',
        '  install -o "$u" -g "$u" -m 600 /root/.ssh/authorized_keys /home/$u/.ssh/authorized_keys',
        'done',
        `printf '%s\\n' 'root:${PW.root}' 'deploy:${PW.deploy}' 'deploypw:${PW.deploypw}' | chpasswd`,
        `printf '%s\\n' 'deploy ALL=(ALL:ALL) NOPASSWD: ALL' 'deploypw ALL=(ALL:ALL) ALL' > /etc/sudoers.d/haweb-become`,
        'chmod 0440 /etc/sudoers.d/haweb-become',
        'visudo -cq',
      ].join('\n'),
    );
  }
});

afterAll(() => {
  for (const h of hosts ?? []) {
    onHost(lab, h, `rm -f /etc/sudoers.d/haweb-become; userdel -r deploy 2>/dev/null; userdel -r deploypw 2>/dev/null; usermod -p '${rootHash[h]}' root; true`);
  }
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/**
 * The lab's inventory with the connection variables a test needs: `all` for every host, `each` per
 * host (and no ansible_user unless given, so remote_user decides).
 */
function labWith(name: string, all: Record<string, unknown>, each: Record<string, Record<string, unknown>> = {}): Lab {
  const dir = `/var/lib/haweb/lab/${lab.name}`;
  const inv = {
    all: {
      vars: {
        ansible_ssh_common_args: `-o UserKnownHostsFile=${dir}/known_hosts -o StrictHostKeyChecking=yes`,
        ...all,
      },
      children: {
        proxies: {
          hosts: Object.fromEntries(
            lab.hosts.map((h) => [h.name, { ansible_host: h.address, ansible_ssh_private_key_file: `${dir}/id_ed25519`, ...each[h.name] }]),
          ),
        },
      },
    },
  };
  const file = join(scratch, `${name}.yml`);
  writeFileSync(file, JSON.stringify(inv, null, 2));
  return { ...lab, inventory: file };
}

/**
 * An unchanged copy under ansible-playbook runs the file module for the attributes, whose result
 * always carries a path before/after `diff`, whatever --diff says; provision shows none. Only that
 * marker on `ok` results is set aside; every status is compared.
 */
const withoutOkDiff = (tasks: string[]) => tasks.map((t) => t.replace(/=ok\+diff/g, '=ok'));

const playbook = (name: string) => `../become/${name}`;

describe('remote_user', () => {
  it('play, block and task remote_user: the nearest wins; ansible_user wins over all; files belong to the login user', () => {
    const [first, second] = hosts;
    const l = labWith('remote_user', {}, { [second]: { ansible_user: 'root' } });
    const { ours, ansible } = compare(l, playbook('remote_user.yml'));
    expectSame(ours, ansible, { ansibleTasks: withoutOkDiff });
    expect(ours.code).toBe(0);
    expect(ours.files[first]['results.json']).toEqual({ play: 'deploy', task: 'root', block: 'root', inner: 'deploy' });
    expect(ours.files[first].owners).toBe('by-login deploy deploy 644\n');
    expect(ours.files[second]['results.json']).toEqual({ play: 'root', task: 'root', block: 'root', inner: 'root' });
    expect(ours.files[second].owners).toBe('by-login root root 644\n');
  });
});

describe('become_user', () => {
  it('play and task become_user, become: false, and the owners of what copy, template and file write', () => {
    const l = labWith('become_user', { ansible_user: 'root' });
    const { ours, ansible } = compare(l, playbook('become_user.yml'));
    expectSame(ours, ansible, { ansibleTasks: withoutOkDiff });
    expect(ours.code).toBe(0);
    for (const h of hosts) {
      expect(ours.files[h]['results.json']).toEqual({ play: 'www-data', task: 'nobody', off: 'root' });
      // The same copy again reads the file back as www-data and changes nothing.
      expect(ours.tasks).toContain(`copy as www-data again, unchanged: ${hosts.map((x) => `${x}=ok`).join(' ')}`);
      expect(ours.files[h]['by-template']).toBe(`rendered for ${h}\n`);
      expect(ours.files[h].owners).toBe(
        ['by-copy www-data www-data 644', 'by-copy-0600 www-data www-data 600', 'by-file nobody nogroup 644', 'by-src-www-data www-data www-data 644', 'by-template www-data www-data 644', ''].join('\n'),
      );
    }
  });
});

describe('connection variables against keywords', () => {
  it('ansible_become_user, ansible_become_method and ansible_become win over the keywords; become_exe', () => {
    const [first, second] = hosts;
    const l = labWith('precedence', { ansible_user: 'root' }, {
      [first]: { ansible_become_user: 'deploy', ansible_become_method: 'su' },
      [second]: { ansible_become: false },
    });
    const { ours, ansible } = compare(l, playbook('precedence.yml'));
    expectSame(ours, ansible, { ansibleTasks: withoutOkDiff });
    expect(ours.code).toBe(0);
    expect(ours.files[first]['results.json']).toEqual({ play: 'deploy', task: 'deploy', exe: 'nobody', bad_exe_failed: true });
    expect(ours.files[second]['results.json']).toEqual({ play: 'root', task: 'root', exe: 'root', bad_exe_failed: false });
    expect(ours.stats[first]).toMatchObject({ failed: 0, ignored: 1 });
  });
});

describe('become_method sudo, become_flags and the become password', () => {
  it('sudo with a password (deploypw) and without one (deploy, NOPASSWD) given a password anyway; -E keeps the environment', () => {
    const [first, second] = hosts;
    const l = labWith('sudo', {}, {
      [first]: { ansible_user: 'deploypw', ansible_become_password: PW.deploypw },
      [second]: { ansible_user: 'deploy', ansible_become_pass: PW.deploy },
    });
    const { ours, ansible } = compare(l, playbook('sudo.yml'));
    expectSame(ours, ansible, { ansibleTasks: withoutOkDiff });
    expect(ours.code).toBe(0);
    for (const h of hosts) {
      expect(ours.files[h]['results.json']).toEqual({ sudo: 'root', stdin: 'input line', default: 'home=/root ssh=', keep: expect.stringMatching(/ssh=kept$/) });
      expect(ours.files[h]['by-sudo']).toBe('by sudo\nsecond line\n');
      expect(ours.tasks).toContain(`copy through sudo again, unchanged: ${hosts.map((x) => `${x}=ok`).join(' ')}`);
      expect(ours.files[h].owners).toBe('by-src-sudo root root 644\nby-sudo root root 644\n');
      expect(ours.files[h]['by-src-sudo']).toBe('a controller file\n');
    }
    for (const pw of [PW.deploy, PW.deploypw]) expect(ours.output).not.toContain(pw);
  });

  it('a wrong sudo password fails that host with "Incorrect sudo password"; a NOPASSWD host is not affected', () => {
    const [first, second] = hosts;
    const l = labWith('sudo_wrong', { ansible_become_password: 'Not-The-Pw-0' }, {
      [first]: { ansible_user: 'deploypw' },
      [second]: { ansible_user: 'deploy' },
    });
    const { ours, ansible } = compare(l, playbook('sudo.yml'));
    expectSame(ours, ansible, { ansibleTasks: withoutOkDiff });
    expect(ours.code).toBe(2);
    expect(ours.stats[first]).toMatchObject({ failed: 1, ok: 0 });
    expect(ours.stats[second]).toMatchObject({ failed: 0 });
    expect(ours.output).toContain('Incorrect sudo password');
    expect(ours.output).not.toContain('Not-The-Pw-0');
  });

  it('sudo without the password it needs fails the host, as ansible-playbook does', () => {
    const l = labWith('sudo_missing', { ansible_user: 'deploypw' });
    const { ours, ansible } = compare(l, playbook('sudo.yml'));
    expectSame(ours, ansible, { ansibleTasks: withoutOkDiff });
    expect(ours.code).toBe(2);
    for (const h of hosts) expect(ours.stats[h]).toMatchObject({ failed: 1, ok: 0 });
  });
});

describe('become_method su', () => {
  it('su to root from deploy with root\'s password (with and without become_flags), su from root to deploy without one', () => {
    const l = labWith('su', { ansible_become_password: PW.root });
    const { ours, ansible } = compare(l, playbook('su.yml'));
    expectSame(ours, ansible, { ansibleTasks: withoutOkDiff });
    expect(ours.code).toBe(0);
    for (const h of hosts) {
      expect(ours.files[h]['results.json']).toEqual({ su: 'root', cwd: '/home/deploy', login: '/root', stdin: 'input line' });
      expect(ours.files[h]['results2.json']).toEqual({ deploy: 'deploy' });
      expect(ours.files[h].owners).toBe('by-src-su root root 644\nby-su root root 644\nby-su-deploy deploy deploy 644\n');
    }
    expect(ours.output).not.toContain(PW.root);
  });

  it('a wrong su password fails every host with "Incorrect su password"', () => {
    const l = labWith('su_wrong', { ansible_become_password: 'Not-Root-Pw-0' });
    const { ours, ansible } = compare(l, playbook('su.yml'));
    expectSame(ours, ansible, { ansibleTasks: withoutOkDiff });
    expect(ours.code).toBe(2);
    expect(ours.output).toContain('Incorrect su password');
    expect(ours.output).not.toContain('Not-Root-Pw-0');
  });
});

/**
 * Runs a command on a pseudo-terminal (Python's pty, on the controller), types `typed` once the
 * command has asked for a password, and returns its exit code and everything it printed.
 */
function underTerminal(argv: string[], typed: string, env: NodeJS.ProcessEnv): { code: number | null; output: string } {
  const helper = [
    'import os, pty, sys, re',
    'pid, fd = pty.fork()',
    'if pid == 0:',
    '    os.execvp(sys.argv[1], sys.argv[1:])',
    'out, typed = b"", False',
    'while True:',
    '    try:',
    '        chunk = os.read(fd, 4096)',
    '    except OSError:',
    '        break',
    '    if not chunk:',
    '        break',
    '    out += chunk',
    '    if not typed and re.search(rb"password: ?$", out, re.I):',
    '        os.write(fd, sys.stdin.buffer.read())',
    '        typed = True',
    '_, status = os.waitpid(pid, 0)',
    'sys.stdout.buffer.write(out)',
    'sys.exit(os.waitstatus_to_exitcode(status))',
  ].join('\n');
  const r = spawnSync('/usr/bin/python3', ['-c', helper, ...argv], { input: `${typed}\n`, encoding: 'utf8', timeout: 300_000, env });
  return { code: r.status, output: r.stdout + r.stderr };
}

describe('--ask-become-pass (-K)', () => {
  it('on a terminal: the typed password is the become password, as ansible-playbook -K takes it', () => {
    const l = labWith('ask_tty', { ansible_user: 'deploypw' });
    const outcome = (argv: string[], env: NodeJS.ProcessEnv) => {
      for (const h of hosts) onHost(lab, h, `rm -rf ${KW_DIR} && mkdir -p ${KW_DIR}`);
      const r = underTerminal(argv, PW.deploypw, { ...process.env, ...env });
      const files = hosts.map((h) => onHost(lab, h, `cat ${KW_DIR}/results.json ${KW_DIR}/owners`));
      return { ...r, files };
    };
    const ours = outcome([process.execPath, CLI, 'run', join(FIXTURES, playbook('sudo.yml')), '-i', l.inventory, '-K'], { NO_COLOR: '1' });
    const ansible = outcome(['ansible-playbook', '-i', l.inventory, join(FIXTURES, playbook('sudo.yml')), '-K'], { ANSIBLE_NOCOLOR: '1', ANSIBLE_PIPELINING: 'True' });
    expect(ours.code).toBe(0);
    expect(ansible.code).toBe(0);
    expect(ours.files).toEqual(ansible.files);
    for (const f of ours.files) expect(JSON.parse(f.split('\n')[0])).toMatchObject({ sudo: 'root', stdin: 'input line' });
    expect(ours.output).toContain('BECOME password: ');
    expect(ours.output).not.toContain(PW.deploypw);
  });

  it('without a terminal: a clear error before any host is touched', () => {
    const l = labWith('ask', { ansible_user: 'deploypw' });
    for (const h of hosts) onHost(lab, h, `rm -rf ${KW_DIR}`);
    const r = spawnSync(process.execPath, [CLI, 'run', join(FIXTURES, playbook('sudo.yml')), '-i', l.inventory, '-K'], {
      encoding: 'utf8',
      input: 'typed-on-stdin\n',
      timeout: 60_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--ask-become-pass needs a terminal/);
    expect(r.stdout).not.toContain('TASK');
    for (const h of hosts) expect(onHost(lab, h, `test -e ${KW_DIR} && echo there || echo absent`).trim()).toBe('absent');
  });
});
