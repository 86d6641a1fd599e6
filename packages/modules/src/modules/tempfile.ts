import { z } from 'zod';
import { fileInfo, failed, formatMode } from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { remotePath } from '../util/schema.js';

/**
 * The mktemp(1) command that makes what Python's mkstemp/mkdtemp make for Ansible's tempfile:
 * `<prefix><8 random characters><suffix>` in `path` (default $TMPDIR, else /tmp), mode 0600 (file)
 * or 0700 (directory). Pure.
 */
export function mktempArgv(args: { state: 'file' | 'directory'; path?: string; prefix: string; suffix: string }): string[] {
  return [
    'mktemp',
    ...(args.state === 'directory' ? ['-d'] : []),
    ...(args.path ? [`--tmpdir=${args.path}`] : ['--tmpdir']),
    ...(args.suffix ? [`--suffix=${args.suffix}`] : []),
    '--',
    `${args.prefix}XXXXXXXX`,
  ];
}

/**
 * Ansible's tempfile: a new temporary file or directory on the host; `path` is what a register user
 * reads (with Ansible's path info: uid, gid, owner, group, mode, state, size). Always changed. Ansible
 * declares no check mode for it, so in check mode the task is skipped.
 * Example: tempfile: { state: directory, suffix: build } + register: build_dir
 */
export const tempfileModule = defineHostModule({
  name: 'tempfile',
  aliases: ['ansible.builtin.tempfile'],
  description: 'Create a temporary file or directory on the host and return its path.',
  args: z.strictObject({
    state: z.enum(['file', 'directory']).default('file'),
    path: remotePath.optional(),
    prefix: z.string().default('ansible.'),
    suffix: z.string().default(''),
  }),
  checkMode: 'none',
  async run(args, ctx) {
    const r = await ctx.remote.run({ argv: mktempArgv(args) }, { become: ctx.become });
    if (r.code !== 0) return failed(r.stderr.trim() || `mktemp failed (exit ${r.code})`);
    const path = r.stdout.trim();
    const info = await ctx.fact(fileInfo, { path });
    if (!info) return failed(`mktemp reported ${path}, which does not exist`);
    return {
      changed: true,
      path,
      uid: info.uid,
      gid: info.gid,
      owner: info.owner,
      group: info.group,
      mode: formatMode(info.mode),
      state: info.type === 'directory' ? 'directory' : 'file',
      size: info.size,
    };
  },
});
