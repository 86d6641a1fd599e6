import { z } from 'zod';
import { ansiblePathInfo, applySteps, hashHostKey, readFileInfo, knownHostsAfter, KnownHostsError, knownHostsState, searchHostKey } from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { boolish } from '../util/schema.js';

/**
 * known_hosts' diff: displayed, the before/after pair (a missing file is /dev/null before); registered,
 * Ansible's one dict with before_header, after_header, before and after (its target asserts
 * `diff.diff.before_header == diff.diff.after_header == path`).
 */
export function knownHostsDiff(path: string, content: string | undefined, after: string) {
  const before = content ?? '';
  const diff = { before, after, beforeHeader: content === undefined ? '/dev/null' : path, afterHeader: path };
  return { diff, ansibleDiff: { before_header: diff.beforeHeader, after_header: diff.afterHeader, before, after } };
}

/**
 * ansible.builtin.known_hosts: one host's key in a known_hosts file, found with the host's own
 * ssh-keygen -F (hashed entries too) and replaced, added or removed as Ansible does. Check mode;
 * diff (always returned, as Ansible's); the result is Ansible's: name, key, path, hash_host, state,
 * diff, changed (in check mode changed and diff only).
 * Example: known_hosts: { name: git.lan, key: "git.lan ssh-ed25519 AAAA..." }
 */
export const knownHostsModule = defineHostModule({
  name: 'known_hosts',
  aliases: ['ansible.builtin.known_hosts'],
  description: 'Add or remove a host key in a known_hosts file, as Ansible\'s known_hosts module.',
  // `host` is Ansible's alias of name; kept as its own key because Ansible's result names the alias
  // the task used (its params hold both).
  args: z
    .strictObject({
      name: z.string().min(1).optional(),
      host: z.string().min(1).optional(),
      key: z.string().optional(),
      path: z.string().default('~/.ssh/known_hosts'),
      // Ansible's default is `no`; left unset here so the spec's default reads as Ansible's.
      hash_host: boolish.optional(),
      state: z.enum(['absent', 'present']).default('present'),
    })
    .refine((a) => (a.name === undefined) !== (a.host === undefined), { message: "give 'name' or its alias 'host' (one of them)" }),
  checkMode: 'full',
  async run(a, ctx) {
    const fail = (msg: string) => ({ changed: false, failed: true, msg });
    const name = (a.name ?? a.host)!;
    const host = name.toLowerCase();
    if (!a.key && a.state !== 'absent') return fail('No key specified when adding a host');
    let key = a.key;
    const hashHost = a.hash_host ?? false;
    if (key && hashHost) key = hashHostKey(host, key);
    if (key && !key.endsWith('\n')) key += '\n';
    if (key && /\S+(\s+)?,(\s+)?/.test(host)) {
      return fail('Comma separated list of names is not supported. Please pass a single name to lookup in the known_hosts file.');
    }
    const facts = await ctx.fact(knownHostsState, { host, path: a.path, ...(key ? { key } : {}) });
    if (!facts.sshKeygen) return fail('Failed to find required executable "ssh-keygen" in paths: /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
    if (key && (facts.sanity ?? '') === '') return fail('Host parameter does not match hashed host field in supplied key');
    let search;
    try {
      search = searchHostKey(facts.search, key);
    } catch (err) {
      if (err instanceof KnownHostsError) return fail(err.message);
      throw err;
    }
    const path = facts.path;
    const before = facts.content ?? '';
    const after = knownHostsAfter(before, search.foundLine, search.replaceOrAdd, a.state, key);
    const { diff, ansibleDiff } = knownHostsDiff(path, facts.content, after);
    const params = { name, ...(a.host !== undefined ? { host: a.host } : {}), key: a.key ?? null, path, hash_host: hashHost, state: a.state, diff: [diff], ansibleDiff };
    // Ansible adds the file's path info to the result (add_path_info).
    const pathInfo = async () => ansiblePathInfo(await readFileInfo(ctx, path));
    if (a.state === 'absent' && search.foundLine === undefined && key) return { ...params, changed: false, ...(await pathInfo()) };
    const changes = search.replaceOrAdd || (a.state === 'present') !== search.found;
    if (ctx.check) return { changed: changes, diff: [diff], ansibleDiff };
    if (search.found && !key && a.state === 'absent') {
      const res = await applySteps(ctx, [{ kind: 'run', argv: ['ssh-keygen', '-R', host, '-f', path], why: `remove ${host} from ${path}` }], { diff: [] });
      if (res.failed) return { ...params, ...res };
      return { ...params, changed: true, ...(await pathInfo()) };
    }
    if (!changes) return { ...params, changed: false, ...(await pathInfo()) };
    const res = await applySteps(ctx, [{ kind: 'file', path, content: after, parents: false, why: `${host} in ${path}` }], { diff: [] });
    if (res.failed) return { ...params, ...res, msg: `Failed to write to file ${path}: ${res.msg}` };
    return { ...params, changed: true, ...(await pathInfo()) };
  },
});
