/**
 * copy with remote_src and a folder, and stat/file results, on a real `sh` over a scratch folder of
 * this machine (a Remote that runs each command with /bin/sh): where Ansible's copy module puts the
 * folder ("dir/" into dest, "dir" into dest/dir), that a second run changes nothing, that an existing
 * target gets what differs, and that a missing dest parent fails as Ansible words it.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Command, Fact, ModuleContext, Remote, RunResult } from '@haweb/core';
import { copyModule, fileModule, statModule } from '../../src/index.js';
import { runModule } from '@haweb/hostkit/testing';

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
const root = mkdtempSync(join(tmpdir(), 'haweb-copy-tree-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function sh(command: Command, stdin?: string | Buffer): RunResult {
  const r = 'argv' in command
    ? spawnSync(command.argv[0], command.argv.slice(1), { input: stdin, encoding: 'buffer' })
    : spawnSync('/bin/sh', ['-c', command.script], { input: stdin, encoding: 'buffer' });
  return { code: r.status ?? 1, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

const remote: Remote = {
  hostName: 'local',
  async run(command) {
    return sh(command);
  },
  async writeFile(path, content, attrs = {}) {
    writeFileSync(path, content);
    if (attrs.mode !== undefined) sh({ argv: ['chmod', String(attrs.mode), '--', path] });
  },
  async putFile(localPath, remotePath) {
    writeFileSync(remotePath, readFileSync(localPath));
  },
  async readFile(path) {
    return existsSync(path) ? readFileSync(path) : undefined;
  },
  async close() {},
} as Remote;

function context(check = false): ModuleContext {
  return {
    hostName: 'local',
    vars: {},
    facts: {},
    check,
    diff: true,
    become: false,
    remote,
    async fact<A, T>(fact: Fact<A, T>, args: A): Promise<T> {
      const r = sh({ script: fact.command(args) });
      return fact.parse(r.stdout, r.code, args);
    },
    resolveLocal: (path) => path,
    render: (t) => t,
    evaluate: () => undefined,
    markSecret() {},
    progress() {},
    log() {},
  } as ModuleContext;
}

function tree(at: string): void {
  mkdirSync(join(at, 'sub/deeper'), { recursive: true });
  writeFileSync(join(at, 'a.txt'), 'a\n');
  writeFileSync(join(at, 'sub/deeper/b.txt'), 'b\n');
  symlinkSync('a.txt', join(at, 'link'));
}

describe('copy: a folder on the host (remote_src)', () => {
  it('"dir/" goes into dest itself, "dir" into dest/dir; a second run changes nothing; differences are copied', async () => {
    const src = join(root, 'src');
    tree(src);
    const into = await runModule(copyModule, { src: `${src}/`, dest: join(root, 'd1'), remote_src: true }, context());
    expect(into).toMatchObject({ changed: true, dest: join(root, 'd1'), state: 'directory' });
    expect(readFileSync(join(root, 'd1/sub/deeper/b.txt'), 'utf8')).toBe('b\n');
    expect(readlinkSync(join(root, 'd1/link'))).toBe('a.txt');
    expect(await runModule(copyModule, { src: `${src}/`, dest: join(root, 'd1'), remote_src: true }, context())).toMatchObject({ changed: false });

    const named = await runModule(copyModule, { src, dest: join(root, 'd2'), remote_src: true }, context());
    expect(named).toMatchObject({ changed: true });
    expect(existsSync(join(root, 'd2/src/a.txt'))).toBe(true);

    writeFileSync(join(src, 'a.txt'), 'changed\n');
    expect(await runModule(copyModule, { src: `${src}/`, dest: join(root, 'd1'), remote_src: true }, context(true))).toMatchObject({ changed: true });
    expect(readFileSync(join(root, 'd1/a.txt'), 'utf8')).toBe('a\n');
    expect(await runModule(copyModule, { src: `${src}/`, dest: join(root, 'd1'), remote_src: true }, context())).toMatchObject({ changed: true });
    expect(readFileSync(join(root, 'd1/a.txt'), 'utf8')).toBe('changed\n');
  });

  it('a file into a missing folder: made when dest ends in "/", else Ansible\'s failure', async () => {
    writeFileSync(join(root, 'f.txt'), 'f\n');
    const made = await runModule(copyModule, { src: join(root, 'f.txt'), dest: join(root, 'new1/new2/'), remote_src: true }, context());
    expect(made).toMatchObject({ changed: true, dest: join(root, 'new1/new2/f.txt'), checksum: sha1('f\n') });
    expect(readFileSync(join(root, 'new1/new2/f.txt'), 'utf8')).toBe('f\n');
    const refused = await runModule(copyModule, { src: join(root, 'f.txt'), dest: join(root, 'new3/f.txt'), remote_src: true }, context());
    expect(refused).toMatchObject({ failed: true, msg: `Destination directory ${join(root, 'new3')} does not exist` });
    expect(existsSync(join(root, 'new3'))).toBe(false);
  });

  it('results carry what Ansible adds: checksum, md5sum, owner, mode, state, size', async () => {
    const dest = join(root, 'r.txt');
    const first = await runModule(copyModule, { content: 'foo.txt\n', dest, mode: '0444' }, context());
    expect(first).toMatchObject({ changed: true, dest, checksum: sha1('foo.txt\n'), md5sum: createHash('md5').update('foo.txt\n').digest('hex'), mode: '0444', state: 'file', size: 8 });
    const again = await runModule(copyModule, { content: 'foo.txt\n', dest, mode: '0444' }, context());
    expect(again).toMatchObject({ changed: false, dest, path: dest, checksum: first.checksum, state: 'file' });
    const st = await runModule(statModule, { path: dest }, context());
    expect(st).toMatchObject({ stat: { exists: true, mode: '0444', checksum: first.checksum, mimetype: 'text/plain', charset: 'us-ascii' } });
    const f = await runModule(fileModule, { path: dest, state: 'file' }, context());
    expect(f).toMatchObject({ changed: false, path: dest, state: 'file', mode: '0444', size: 8 });
  });
});
