import { z } from 'zod';
import { ansibleStat, statPath, CHECKSUM_ALGORITHMS, formatMode, type FileInfo } from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { boolish, remotePath, withAliases } from '../util/schema.js';

/** The short stat view of a file fact (kept for callers that hold a FileInfo, not a stat of their own). */
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

/**
 * Ansible's stat: every key its module returns (the os.stat fields, access, link source and target,
 * owner names, the checksum of a readable regular file, MIME type and charset from `file`).
 * Example: stat: { path: /usr/local/nginx/sbin/nginx } + register: nginx_bin
 */
export const statModule = defineHostModule({
  name: 'stat',
  aliases: ['ansible.builtin.stat'],
  description: 'Read facts about a path (exists, type, mode, owner, size, times, checksum, MIME type). Never changes anything.',
  args: withAliases(z.strictObject({
    path: remotePath,
    follow: boolish.optional(),
    get_checksum: boolish.optional(),
    get_mime: boolish.optional(),
    checksum_algorithm: z.enum(CHECKSUM_ALGORITHMS).optional(),
  }), { path: ['dest', 'name'], checksum_algorithm: ['checksum', 'checksum_algo'], get_mime: ['mime', 'mime_type', 'mime-type'] }),
  checkMode: 'full',
  async run(args, ctx) {
    const mime = args.get_mime ?? true;
    const raw = await ctx.fact(statPath, {
      path: args.path,
      follow: args.follow ?? false,
      checksum: args.get_checksum === false ? undefined : args.checksum_algorithm ?? 'sha1',
      mime,
    });
    return { changed: false, stat: ansibleStat(args.path, raw, { mime }) };
  },
});
