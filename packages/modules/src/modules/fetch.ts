import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { posix } from 'node:path';
import { z } from 'zod';
import { fileInfo, failed } from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { boolish } from '../util/schema.js';

export interface FetchDestInput {
  src: string;
  dest: string;
  flat: boolean;
  /** The task's inventory_hostname. */
  hostName: string;
  /** Where a relative dest is found (the playbook's folder, as Ansible's path_dwim). */
  baseDir: string;
  /** The dest as given names an existing directory on the controller. */
  destIsDirectory: boolean;
}

/**
 * Where fetch puts a file on the controller, as Ansible's fetch action decides: `dest/<host>/<src>`
 * (the source's full path under a folder per host), or with `flat`, `dest` itself (`dest/<basename>`
 * when dest ends with a slash). Pure; errors are Ansible's messages.
 */
export function fetchDestination(input: FetchDestInput): { path: string } | { error: string } {
  const expand = (p: string): string => (p === '~' || p.startsWith('~/') ? homedir() + p.slice(1) : p);
  const absolute = (p: string): string => (p.startsWith('/') ? p : posix.join(input.baseDir, p));
  const dest = expand(input.dest);
  let path: string;
  let root: string;
  if (input.flat) {
    if (input.destIsDirectory && !dest.endsWith('/')) {
      return { error: 'dest is an existing directory, use a trailing slash if you want to fetch src into that directory' };
    }
    path = absolute(dest.endsWith('/') ? posix.join(dest, posix.basename(input.src)) : dest);
    root = posix.dirname(posix.normalize(absolute(dest.endsWith('/') ? posix.join(dest, 'x') : dest)));
  } else {
    root = posix.join(absolute(dest), input.hostName);
    path = `${absolute(dest)}/${input.hostName}/${input.src}`;
  }
  path = posix.normalize(path);
  // A `..` in src must not lead the file out of the folder it belongs in.
  if (!path.startsWith(root.endsWith('/') ? root : `${root}/`)) return { error: `Detected directory traversal, expected to be contained in '${input.dest}' but got '${path}'` };
  return { path };
}

const digest = (algo: 'sha1' | 'md5', data: Buffer): string => createHash(algo).update(data).digest('hex');

function readLocal(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Ansible's fetch: copy a file of the host to the controller. Changed when the controller's copy
 * differs (SHA-1, as Ansible compares). Returns Ansible's keys: `dest`, `checksum`, `md5sum`, and
 * `remote_checksum`/`remote_md5sum` when it wrote, `file` when it did not. Check mode: skipped, as
 * ansible-core 2.14's fetch action does ("check mode not (yet) supported").
 * Example: fetch: { src: /etc/nginx/nginx.conf, dest: backups/ } -> backups/<host>/etc/nginx/nginx.conf
 */
export const fetchModule = defineHostModule({
  name: 'fetch',
  aliases: ['ansible.builtin.fetch'],
  description: 'Copy a file from the host to the controller (dest/<inventory_hostname>/<src>, or flat).',
  args: z.strictObject({
    src: z.string().min(1),
    dest: z.string().min(1),
    flat: boolish.default(false),
    fail_on_missing: boolish.default(true),
    validate_checksum: boolish.default(true),
  }),
  checkMode: 'none',
  async run(args, ctx) {
    const info = await ctx.fact(fileInfo, { path: args.src, follow: true, checksum: 'sha1' });
    // Ansible's messages and keys, down to its ", ignored" on a missing file that does fail the task.
    if (!info) {
      const msg = 'the remote file does not exist, not transferring, ignored';
      return args.fail_on_missing ? failed(msg) : { changed: false, file: args.src, msg };
    }
    if (info.type === 'directory') {
      const msg = 'remote file is a directory, fetch cannot work on directories';
      return args.fail_on_missing ? failed(msg) : { changed: false, msg: `${msg}, not transferring, ignored` };
    }
    const baseDir = typeof ctx.vars.playbook_dir === 'string' ? ctx.vars.playbook_dir : process.cwd();
    let destIsDirectory = false;
    try {
      destIsDirectory = statSync(args.dest.startsWith('/') ? args.dest : posix.join(baseDir, args.dest)).isDirectory();
    } catch {
      // no such path: not a directory
    }
    const where = fetchDestination({ src: args.src, dest: args.dest, flat: args.flat, hostName: ctx.hostName, baseDir, destIsDirectory });
    if ('error' in where) return failed(where.error);
    const local = readLocal(where.path);
    if (local && digest('sha1', local) === info.checksum) {
      return { changed: false, md5sum: digest('md5', local), file: args.src, dest: where.path, checksum: info.checksum };
    }
    const data = await ctx.remote.readFile(args.src, { become: ctx.become });
    if (data === undefined) return failed('the remote file does not exist, not transferring, ignored');
    const checksum = digest('sha1', data);
    const remoteChecksum = info.checksum ?? checksum;
    if (args.validate_checksum && checksum !== remoteChecksum) {
      // The file changed between the checksum and the read: nothing is written.
      return { ...failed('checksum mismatch'), file: args.src, dest: where.path, md5sum: digest('md5', data), remote_md5sum: null, checksum, remote_checksum: remoteChecksum };
    }
    mkdirSync(posix.dirname(where.path), { recursive: true });
    const tmp = `${where.path}.${process.pid}.tmp`;
    writeFileSync(tmp, data);
    renameSync(tmp, where.path);
    return { changed: true, md5sum: digest('md5', data), dest: where.path, remote_md5sum: null, checksum, remote_checksum: remoteChecksum };
  },
});
