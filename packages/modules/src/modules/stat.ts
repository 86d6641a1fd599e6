import { z } from 'zod';
import { defineHostModule } from '../util/define.js';
import { fileInfo, type FileInfo, CHECKSUM_ALGORITHMS } from '../facts/files.js';
import { formatMode } from '@haweb/hostkit';
import { boolish, remotePath, withAliases } from '../util/schema.js';

/** Ansible's stat result keys, so `register: st` + `when: st.stat.exists` reads the same. */
export function statResult(path: string, info: FileInfo | undefined): Record<string, unknown> {
  if (!info) return { exists: false, path };
  const m = info.mode;
  return {
    exists: true,
    path,
    isreg: info.type === 'file',
    isdir: info.type === 'directory',
    islnk: info.type === 'link',
    mode: formatMode(m),
    uid: info.uid,
    gid: info.gid,
    pw_name: info.owner,
    gr_name: info.group,
    size: info.size,
    mtime: info.mtime,
    xusr: (m & 0o100) !== 0,
    rusr: (m & 0o400) !== 0,
    wusr: (m & 0o200) !== 0,
    ...(info.linkTarget !== undefined ? { lnk_source: info.linkTarget, lnk_target: info.linkTarget } : {}),
    ...(info.checksum !== undefined ? { checksum: info.checksum } : {}),
  };
}

/** Example: stat: { path: /usr/local/nginx/sbin/nginx } + register: nginx_bin */
export const statModule = defineHostModule({
  name: 'stat',
  aliases: ['ansible.builtin.stat'],
  description: 'Read facts about a path (exists, type, mode, owner, size, checksum). Never changes anything.',
  args: withAliases(z.strictObject({
    path: remotePath,
    follow: boolish.optional(),
    get_checksum: boolish.optional(),
    checksum_algorithm: z.enum(CHECKSUM_ALGORITHMS).optional(),
  }), { path: ['dest', 'name'], checksum_algorithm: ['checksum', 'checksum_algo'] }),
  checkMode: 'full',
  async run(args, ctx) {
    const info = await ctx.fact(fileInfo, {
      path: args.path,
      follow: args.follow ?? false,
      checksum: args.get_checksum === false ? undefined : args.checksum_algorithm ?? 'sha1',
    });
    return { changed: false, stat: statResult(args.path, info) };
  },
});
