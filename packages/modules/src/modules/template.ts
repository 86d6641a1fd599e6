import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename } from 'node:path';
import { z } from 'zod';
import { hideVaultedDiff, readControllerFile, type ModuleResult } from '@haweb/core';
import { defineHostModule } from '../util/define.js';
import { ensureFile, errorMessage, failed, fileInfo, formatMode } from '@haweb/hostkit';
import { boolish } from '../util/schema.js';
import { fileWriteArgs, preservedMode, resolveDest, throughLink } from './copy.js';

/** Jinja2's default delimiters, and the options that change them. */
const DELIMITERS = [
  ['variable_start_string', 'variable_end_string', '{{', '}}'],
  ['block_start_string', 'block_end_string', '{%', '%}'],
  ['comment_start_string', 'comment_end_string', '{#', '#}'],
] as const;

type TemplateOptions = Partial<Record<(typeof DELIMITERS)[number][0] | (typeof DELIMITERS)[number][1], string>> & { trim_blocks?: boolean; lstrip_blocks?: boolean };

/**
 * The template text as the engine reads it, with the module's Jinja2 options applied:
 *  - trim_blocks / lstrip_blocks become a `#jinja2:` first line, put before the template's own
 *    settings (a template's `#jinja2:` line wins over the module's options, as in Ansible);
 *  - other delimiters (`[#` ... `#]`) are rewritten to Jinja2's own, and Jinja2's own delimiters in
 *    the text, which are then plain text, are written as the literals they are (`{{ '{{' }}`).
 */
export function templateSource(text: string, opts: TemplateOptions): string {
  let header = '';
  let body = text;
  if (body.startsWith('#jinja2:')) {
    const eol = body.indexOf('\n');
    header = eol < 0 ? body : body.slice(0, eol + 1);
    body = eol < 0 ? '' : body.slice(eol + 1);
  }
  body = withDelimiters(body, opts);
  const settings: string[] = [];
  if (opts.trim_blocks === false) settings.push('trim_blocks: False');
  if (opts.lstrip_blocks === true) settings.push('lstrip_blocks: True');
  if (settings.length === 0) return header + body;
  const own = header ? header.slice('#jinja2:'.length) : '\n';
  return `#jinja2: ${settings.join(', ')}${own.trim() ? `, ${own.trimStart()}` : '\n'}${body}`;
}

/** Rewrite custom delimiters to Jinja2's own (see templateSource). */
export function withDelimiters(body: string, opts: TemplateOptions): string {
  const pairs = DELIMITERS.map(([s, e, ds, de]) => ({ start: opts[s] ?? ds, end: opts[e] ?? de, ds, de }));
  if (pairs.every((p) => p.start === p.ds && p.end === p.de)) return body;
  const starts = [...pairs].sort((a, b) => b.start.length - a.start.length);
  const literals = ['{{', '{%', '{#'];
  let out = '';
  let i = 0;
  while (i < body.length) {
    const pair = starts.find((p) => body.startsWith(p.start, i));
    if (pair) {
      const close = body.indexOf(pair.end, i + pair.start.length);
      if (close < 0) throw new Error(`a '${pair.start}' without its '${pair.end}' (template line ${body.slice(0, i).split('\n').length})`);
      out += pair.ds + body.slice(i + pair.start.length, close) + pair.de;
      i = close + pair.end.length;
      continue;
    }
    const literal = literals.find((l) => body.startsWith(l, i));
    if (literal) {
      out += `{{ '${literal}' }}`;
      i += literal.length;
      continue;
    }
    out += body[i];
    i++;
  }
  return out;
}

/** Ansible's newline_sequence (written `\\r\\n` or as the characters themselves): the output's line ends. */
export function withNewlines(content: string, sequence: string | undefined): string {
  const seq = sequence?.replace(/\\r/g, '\r').replace(/\\n/g, '\n') ?? '\n';
  return seq === '\n' ? content : content.replace(/\n/g, seq);
}

/** Python's str(datetime): `2026-12-05 18:30:00.123456`, local time. */
function pyDatetime(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds() * 1000, 6)}`;
}

/** The name of a controller user id, from /etc/passwd (the id itself when it has none). */
async function userName(uid: number): Promise<string> {
  const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '');
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f.length > 2 && Number(f[2]) === uid) return f[0];
  }
  return String(uid);
}

/**
 * The variables Ansible's template action adds (generate_ansible_template_vars): the controller's host
 * name, the source as written and in full, the destination as written, the source's owner and time,
 * the run's time, and `ansible_managed` (Ansible's default string, 'Ansible managed').
 */
export async function templateVars(src: string, fullpath: string, dest: string): Promise<Record<string, unknown>> {
  const st = await stat(fullpath);
  return {
    template_host: hostname(),
    template_path: src,
    template_fullpath: fullpath,
    template_destpath: dest,
    template_uid: await userName(st.uid),
    template_mtime: pyDatetime(st.mtime),
    template_run_date: pyDatetime(new Date()),
    ansible_managed: 'Ansible managed',
  };
}

/** windows-1252's bytes 0x80-0x9F (the rest of the range 0x00-0xFF is Latin-1); five are undefined. */
const CP1252_HIGH = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';
const CP1252_UNDEFINED = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);

/**
 * The rendered text in Ansible's output_encoding (Python codec names: `utf-8`, `windows-1252`/`cp1252`,
 * `latin-1`/`iso-8859-1`, `ascii`; empty means utf-8). undefined: UTF-8, the text as it is. A character
 * the encoding lacks is an error, as Python's strict encoding is; another codec is refused by name.
 */
export function encodeOutput(text: string, encoding: string | undefined): Buffer | undefined {
  const name = (encoding ?? '').toLowerCase().replace(/[-_ ]/g, '');
  if (name === '' || name === 'utf8' || name === 'u8') return undefined;
  let table: (cp: number) => number | undefined;
  if (name === 'windows1252' || name === 'cp1252') {
    table = (cp) => {
      if (cp < 0x80 || (cp >= 0xa0 && cp <= 0xff)) return cp;
      const i = CP1252_HIGH.indexOf(String.fromCodePoint(cp));
      return i >= 0 && !CP1252_UNDEFINED.has(0x80 + i) ? 0x80 + i : undefined;
    };
  } else if (['latin1', 'iso88591', 'iso88591', 'l1', 'latin'].includes(name)) {
    table = (cp) => (cp <= 0xff ? cp : undefined);
  } else if (['ascii', 'usascii', '646'].includes(name)) {
    table = (cp) => (cp < 0x80 ? cp : undefined);
  } else {
    throw new Error(`output_encoding '${encoding}' is not supported by this provisioner (utf-8, windows-1252/cp1252, latin-1/iso-8859-1, ascii)`);
  }
  const out: number[] = [];
  let offset = 0;
  for (const ch of text) {
    const byte = table(ch.codePointAt(0)!);
    if (byte === undefined) throw new Error(`'${encoding}' codec can't encode character '\\u${ch.codePointAt(0)!.toString(16).padStart(4, '0')}' in position ${offset}`);
    out.push(byte);
    offset++;
  }
  return Buffer.from(out);
}

/**
 * Examples:
 *   template: { src: keepalived.conf.j2, dest: /etc/keepalived/keepalived.conf, mode: "0644" }
 *   template: { src: nginx.conf.j2, dest: /etc/nginx/nginx.conf, validate: "nginx -t -c %s", backup: yes }
 */
export const templateModule = defineHostModule({
  name: 'template',
  aliases: ['ansible.builtin.template'],
  description: 'Render a Jinja2 template from the controller with the host\'s variables and write it to the host.',
  args: z.strictObject({
    src: z.string(),
    follow: boolish.optional(),
    trim_blocks: boolish.optional(),
    lstrip_blocks: boolish.optional(),
    newline_sequence: z.enum(['\\n', '\\r', '\\r\\n', '\n', '\r', '\r\n']).optional(),
    variable_start_string: z.string().min(1).optional(),
    variable_end_string: z.string().min(1).optional(),
    block_start_string: z.string().min(1).optional(),
    block_end_string: z.string().min(1).optional(),
    comment_start_string: z.string().min(1).optional(),
    comment_end_string: z.string().min(1).optional(),
    output_encoding: z.string().optional(),
    ...fileWriteArgs,
  }),
  checkMode: 'full',
  // Ansible's action does not support async: such a task fails when it runs.
  noAsync: true,
  async run(args, ctx): Promise<ModuleResult> {
    const local = ctx.resolveLocal(args.src, 'templates');
    let text: string;
    let vaulted: boolean;
    try {
      // A vault-encrypted template is decrypted, as Ansible's template does; its output is a secret too.
      const source = await readControllerFile(local, ctx);
      text = source.content.toString('utf8');
      vaulted = source.vaulted;
    } catch (err) {
      return failed(`template ${args.src} cannot be read on the controller (${local}): ${errorMessage(err)}`);
    }
    let content: string;
    try {
      // Includes and imports inside the template resolve on Ansible's template search path.
      const extra = await templateVars(args.src, local, args.dest);
      const source = templateSource(text, args);
      content = ctx.renderTemplateFile ? ctx.renderTemplateFile(source, local, extra) : ctx.render(source, extra);
      content = withNewlines(content, args.newline_sequence);
    } catch (err) {
      return failed(`template ${local}: ${errorMessage(err)}`);
    }
    let bytes: Buffer | undefined;
    try {
      bytes = encodeOutput(content, args.output_encoding);
    } catch (err) {
      return failed(`template ${local}: ${errorMessage(err)}`);
    }
    // A folder as dest: the file keeps the source's name, .j2 included (Ansible's original_basename)
    const srcName = basename(local);
    const resolved = await resolveDest(ctx, args.dest, srcName);
    const { dest, info } = args.follow ? await throughLink(ctx, resolved) : resolved;
    if (args.force === false && info) return { changed: false, dest, msg: `${dest} exists and force is off: left alone` };
    if (vaulted) ctx.markSecret(content);
    const mode = preservedMode(args.mode, (await stat(local)).mode);
    const written = bytes ?? content;
    const ensured = await ensureFile(ctx, { ...args, mode, dest, content: written, info });
    // Ansible's template reports the SHA-1 of what it wrote as `checksum`.
    // Ansible's template reports what its copy reports: the SHA-1 `checksum`, `md5sum`, and the written
    // file's attributes (read after the write; not in check mode, where nothing was written).
    let result: ModuleResult = ensured;
    if (!ensured.failed) {
      result = { ...ensured, checksum: createHash('sha1').update(written).digest('hex'), md5sum: createHash('md5').update(written).digest('hex'), src: local };
      // unchanged: the facts read before are still true (a no-op run stays one round trip)
      const after = ctx.check ? undefined : ensured.changed || !info ? await ctx.fact(fileInfo, { path: dest, follow: true }) : info;
      if (after) Object.assign(result, { state: 'file', owner: after.owner, group: after.group, uid: after.uid, gid: after.gid, mode: formatMode(after.mode), size: after.size });
    }
    return vaulted ? hideVaultedDiff(result) : result;
  },
});
