import { z } from 'zod';
import { failed } from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { remotePath, withAliases } from '../util/schema.js';

/**
 * The probe slurp runs as the task's user before reading: opening the file (dd, nothing read) tells
 * what Python's open() would say (missing, not readable, not a directory); an open that works on a
 * folder is Python's IsADirectoryError. Output: `ok`, `dir`, or `err <dd's message>`.
 */
export const SLURP_PROBE = 'if out=$(LC_ALL=C dd if="$1" of=/dev/null count=0 status=none 2>&1); then if [ -d "$1" ]; then echo dir; else echo ok; fi; else echo "err $out"; fi';

/**
 * Ansible's slurp messages by the errno of its open(): ENOENT "file not found", EACCES "file is not
 * readable", EISDIR "source is a directory and must be a file", anything else "unable to slurp file"
 * with the error (Python's "[Errno 20] Not a directory: '<path>'"). Undefined: the file can be read.
 */
export function slurpError(probe: string, src: string): string | undefined {
  const out = probe.trim();
  if (out === 'ok') return undefined;
  if (out === 'dir') return `source is a directory and must be a file: ${src}`;
  if (/No such file or directory/.test(out)) return `file not found: ${src}`;
  if (/Permission denied/.test(out)) return `file is not readable: ${src}`;
  if (/Not a directory/.test(out)) return `unable to slurp file: [Errno 20] Not a directory: '${src}'`;
  return `unable to slurp file: ${out.replace(/^err\s*/, '') || 'unknown error'}`;
}

/**
 * Ansible's slurp: a file of the host, base64-encoded, into a registered variable (`content`,
 * `encoding: base64`, `source`). Never changes anything; `| b64decode` gives the text back.
 * Example: slurp: { src: /etc/hostname } + register: hn
 */
export const slurpModule = defineHostModule({
  name: 'slurp',
  aliases: ['ansible.builtin.slurp'],
  description: 'Read a file of the host into a variable (base64).',
  args: withAliases(z.strictObject({ src: remotePath }), { src: ['path'] }),
  checkMode: 'full',
  async run(args, ctx) {
    // Ansible's messages, which playbooks test with `in` or regex (its target: ^file is not readable:).
    const probe = await ctx.remote.run({ argv: ['sh', '-c', SLURP_PROBE, 'sh', args.src] }, { become: ctx.become });
    const error = slurpError(probe.stdout, args.src);
    if (error !== undefined) return failed(error);
    const content = await ctx.remote.readFile(args.src, { become: ctx.become });
    if (content === undefined) return failed(`file not found: ${args.src}`);
    return { changed: false, content: content.toString('base64'), encoding: 'base64', source: args.src };
  },
});
