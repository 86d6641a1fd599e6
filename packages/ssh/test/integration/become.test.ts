/**
 * become through `sudo -n` when the SSH user is not root: a throw-away user with passwordless sudo on
 * a lab host (created over the root connection, removed afterwards).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabState } from '@haweb/lab';
import { SshConnector, type SshConnection } from '../../src/index.js';
import { labState, labTarget } from './lab-target.js';

const USER = 'hawebit';
let lab: LabState;
let root: SshConnection;
let user: SshConnection;
const connector = new SshConnector();

beforeAll(async () => {
  lab = await labState();
  root = await connector.connect(labTarget(lab, 1));
  const pub = readFileSync(`${lab.paths.privateKey}.pub`, 'utf8').trim();
  const setup = await root.run({
    script: [
      'set -e',
      `id ${USER} >/dev/null 2>&1 || useradd -m -s /bin/sh ${USER}`,
      `mkdir -p /home/${USER}/.ssh`,
      `printf '%s\\n' "$KEY" > /home/${USER}/.ssh/authorized_keys`,
      `chown -R ${USER}:${USER} /home/${USER}/.ssh && chmod 700 /home/${USER}/.ssh && chmod 600 /home/${USER}/.ssh/authorized_keys`,
      `echo '${USER} ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/${USER} && chmod 0440 /etc/sudoers.d/${USER}`,
      `rm -rf /root/haweb-become && mkdir -m 700 /root/haweb-become`,
    ].join('\n'),
  }, { env: { KEY: pub } });
  expect(setup.stderr).toBe('');
  expect(setup.code).toBe(0);
  user = await connector.connect(labTarget(lab, 1, { user: USER }));
});

afterAll(async () => {
  await user?.close();
  if (root) {
    await root.run({ script: `rm -rf /root/haweb-become /etc/sudoers.d/${USER}; pkill -u ${USER} 2>/dev/null; userdel -r ${USER} 2>/dev/null; true` });
    await root.close();
  }
});

describe('become (sudo -n) for a non-root SSH user', () => {
  it('runs as root only when asked, with cwd, env and stdin kept', async () => {
    expect((await user.run({ argv: ['id', '-un'] })).stdout).toBe(`${USER}\n`);
    const r = await user.run({ script: 'id -un; pwd; cat; printf "%s" "$X"' }, { become: true, cwd: '/root/haweb-become', env: { X: "a'b" }, stdin: 'in\n' });
    expect(r).toMatchObject({ code: 0, stdout: "root\n/root/haweb-become\nin\na'b" });
  });

  it('writeFile, readFile and putFile reach root-only places with become, and fail cleanly without', async () => {
    const path = '/root/haweb-become/secret.conf';
    await user.writeFile(path, 'top secret\n', { become: true, mode: '0600' });
    expect((await user.readFile(path, { become: true }))?.toString()).toBe('top secret\n');
    await expect(user.readFile(path)).rejects.toThrow(/Permission denied/);
    await expect(user.writeFile(path, 'x', {})).rejects.toThrow(/failed/);
    const stat = await root.run({ argv: ['stat', '-c', '%a %U', path] });
    expect(stat.stdout).toBe('600 root\n');
    const local = join(mkdtempSync(join(tmpdir(), 'haweb-become-')), 'payload');
    writeFileSync(local, 'uploaded as root\n');
    await user.putFile(local, '/root/haweb-become/payload', { become: true, mode: '0640', owner: 'root', group: 'daemon' });
    expect((await root.run({ argv: ['stat', '-c', '%a %U:%G', '/root/haweb-become/payload'] })).stdout).toBe('640 root:daemon\n');
    expect((await root.readFile('/root/haweb-become/payload'))?.toString()).toBe('uploaded as root\n');
    // The intermediate upload in /tmp is gone.
    expect((await root.run({ script: 'ls -a /tmp | grep -c "^.haweb-upload-" || true' })).stdout.trim()).toBe('0');
  });
});
