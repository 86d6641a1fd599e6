import { posix } from 'node:path';
import { z } from 'zod';
import {
  cloneArgv,
  fetchArgv,
  gitSshCommand,
  hasLocalMods,
  headBranchFromFile,
  isDetached,
  isLocalBranch,
  parseBranches,
  tagRevision,
  unfrackGitPath,
} from '@haweb/hostkit';
import { shellJoin, type ModuleContext, type ModuleResult, type RunResult } from '@haweb/core';
import { defineHostModule } from '../util/define.js';
import { withOutputLines } from '../util/output-lines.js';
import { boolish, intish, remotePath, withAliases } from '../util/schema.js';

/**
 * Return values (Ansible's RETURN of git): before (the commit before, null for a new clone), after
 * (the commit checked out, or the remote's in check mode), remote_url_changed (an existing checkout),
 * warnings, and msg when local modifications were discarded (force).
 */
export type GitResult = ModuleResult & { before: string | null; after?: string | null; remote_url_changed?: boolean; warnings?: string[] };

const args = withAliases(
  z
    .strictObject({
      repo: z.string().min(1),
      dest: remotePath.optional(),
      version: z.string().default('HEAD'),
      remote: z.string().default('origin'),
      refspec: z.string().optional(),
      // Ansible's spec writes these defaults as 'yes'/'no'; run() applies them.
      force: boolish.optional(),
      depth: intish.optional(),
      clone: boolish.optional(),
      update: boolish.optional(),
      bare: boolish.optional(),
      single_branch: boolish.optional(),
      recursive: boolish.optional(),
      accept_hostkey: boolish.optional(),
      accept_newhostkey: boolish.optional(),
      ssh_opts: z.string().optional(),
      key_file: remotePath.optional(),
      reference: z.string().optional(),
      executable: remotePath.optional(),
      umask: z.union([z.string(), z.number()]).optional(),
    })
    .refine((a) => a.dest !== undefined || a.clone === false, { message: 'the destination directory must be specified unless clone=no' }),
  { repo: ['name'] },
);
type Args = z.output<typeof args>;

class GitFailure extends Error {
  constructor(readonly result: Record<string, unknown>) {
    super(String(result.msg));
  }
}

/**
 * Examples:
 *   git: { repo: 'file:///srv/git/app.git', dest: /opt/app, version: v1.2 }
 *   git: repo=ssh://git@198.51.100.2/srv/git/app.git dest=/opt/app key_file=/root/.ssh/deploy accept_newhostkey=yes
 */
export const gitModule = defineHostModule({
  name: 'git',
  aliases: ['ansible.builtin.git'],
  description: 'Clone or update a git checkout with the host\'s git (a branch, tag or commit; depth, force, bare), reporting the commits before and after.',
  args,
  checkMode: 'full',
  async run(a, ctx): Promise<GitResult> {
    const repo = a.repo.startsWith('/') ? `file://${a.repo}` : a.repo;
    const version = a.version;
    const remote = a.remote;
    const force = a.force ?? false;
    const bare = a.bare ?? false;
    const allowClone = a.clone ?? true;
    const result: GitResult = { changed: false, warnings: [], before: null };
    let umask = '';
    if (a.umask !== undefined) {
      if (typeof a.umask !== 'string') return { ...result, failed: true, msg: 'umask must be defined as a quoted octal integer' };
      if (!/^[0-7]+$/.test(a.umask)) return { ...result, failed: true, msg: 'umask must be an octal integer' };
      umask = `umask ${a.umask} && `;
    }
    const env: Record<string, string> = {
      LANG: 'C', LC_ALL: 'C', LC_MESSAGES: 'C', LC_CTYPE: 'C',
      GIT_SSH_COMMAND: gitSshCommand({ sshOpts: a.ssh_opts, keyFile: a.key_file, acceptHostkey: a.accept_hostkey ?? false, acceptNewHostkey: a.accept_newhostkey ?? false }),
    };
    let git = a.executable ?? 'git';
    const run = async (argv: string[], cwd?: string): Promise<RunResult> =>
      ctx.remote.run({ script: `${umask}${cwd ? `cd ${shellJoin([cwd])} && ` : ''}${shellJoin(argv)}` }, { become: ctx.become, env, timeoutMs: 600_000 });
    const must = async (argv: string[], cwd?: string, what?: string): Promise<RunResult> => {
      const r = await run(argv, cwd);
      // Ansible's run_command(check_rc=True) fails with stderr as the message; its own checks name the step.
      if (r.code !== 0) throw new GitFailure({ failed: true, msg: what ?? r.stderr.trimEnd(), rc: r.code, stdout: r.stdout, stderr: r.stderr, ...(what ? {} : { cmd: shellJoin(argv) }) });
      return r;
    };
    const found = await ctx.remote.run({ script: `command -v ${shellJoin([git])}` }, { become: ctx.become });
    if (found.code !== 0) return { ...result, failed: true, msg: `Failed to find required executable "${git}" in paths: /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin` };
    // Commands name git by its full path, as Ansible's get_bin_path does (it shows in `cmd`).
    git = found.stdout.trim() || git;

    const dest = a.dest !== undefined ? posix.resolve(a.dest) : undefined;
    const repoPath = dest === undefined ? undefined : bare ? dest : posix.join(dest, '.git');
    const revParse = async (): Promise<string> => (await run([git, 'rev-parse', 'HEAD'], dest)).stdout.replace(/\n$/, '');
    const lsRemoteHas = async (where: string, kind: '-h' | '-t', ref: string, cwd?: string): Promise<boolean> => (await must([git, 'ls-remote', where, kind, ref], cwd)).stdout.includes(version);
    const isRemoteBranch = (where: string, cwd?: string) => lsRemoteHas(where, '-h', `refs/heads/${version}`, cwd);
    const isRemoteTag = (where: string, cwd?: string) => lsRemoteHas(where, '-t', `refs/tags/${version}`, cwd);
    const readFile = async (path: string) => (await ctx.remote.readFile(path, { become: ctx.become }))?.toString('utf8');
    const headBranch = async (): Promise<string | undefined> => {
      const branches = parseBranches((await run([git, 'branch', '--no-color', '-a'], dest)).stdout);
      const file = isDetached(branches) ? posix.join(repoPath!, 'refs', 'remotes', remote, 'HEAD') : posix.join(repoPath!, 'HEAD');
      const text = await readFile(file);
      if (text === undefined) return undefined;
      return headBranchFromFile(text, remote);
    };
    /** get_remote_head: the commit the remote has for `version`. */
    const remoteHead = async (where: string, cloning: boolean): Promise<string> => {
      const cwd = cloning ? undefined : dest;
      let out: string;
      let tag = false;
      if (version === 'HEAD') {
        out = cloning ? (await must([git, 'ls-remote', where, '-h', 'HEAD'])).stdout : (await must([git, 'ls-remote', where, '-h', `refs/heads/${await headBranch()}`], cwd)).stdout;
      } else if (await isRemoteBranch(where, cwd)) {
        out = (await must([git, 'ls-remote', where, '-h', `refs/heads/${version}`], cwd)).stdout;
      } else if (await isRemoteTag(where, cwd)) {
        tag = true;
        out = (await must([git, 'ls-remote', where, '-t', `refs/tags/${version}*`], cwd)).stdout;
      } else return version;
      if (out.length < 1) throw new GitFailure({ ...result, failed: true, msg: `Could not determine remote revision for ${version}` });
      return tag ? tagRevision(out, version) ?? out.split(/\s+/)[0] : out.split(/\s+/)[0];
    };
    const switchVersion = async (): Promise<void> => {
      if (version === 'HEAD') {
        const branch = await headBranch();
        await must([git, 'checkout', '--force', branch ?? ''], dest, `Failed to checkout branch ${branch}`);
        await must([git, 'reset', '--hard', `${remote}/${branch}`, '--'], dest, `Failed to checkout branch ${branch}`);
        return;
      }
      if (await isRemoteBranch(remote, dest)) {
        const branches = parseBranches((await run([git, 'branch', '--no-color', '-a'], dest)).stdout);
        if (a.depth && !isLocalBranch(branches, version)) {
          await must([git, 'fetch', `--depth=${a.depth}`, remote, `+refs/heads/${version}:refs/remotes/${remote}/${version}`], dest);
        }
        if (!isLocalBranch(branches, version)) {
          await must([git, 'checkout', '--track', '-b', version, `${remote}/${version}`], dest, `Failed to checkout ${version}`);
        } else {
          await must([git, 'checkout', '--force', version], dest, `Failed to checkout branch ${version}`);
          await must([git, 'reset', '--hard', `${remote}/${version}`], dest, `Failed to checkout ${version}`);
        }
        return;
      }
      await must([git, 'checkout', '--force', version], dest, `Failed to checkout ${version}`);
    };
    const submodules = async (): Promise<void> => {
      if (!(a.recursive ?? true) || bare || dest === undefined) return;
      if ((await run(['test', '-f', posix.join(dest, '.gitmodules')])).code !== 0) return;
      await must([git, 'submodule', 'update', '--init', '--recursive'], dest);
    };

    try {
      const exists = repoPath !== undefined && (await run(['test', '-f', posix.join(repoPath, 'config')])).code === 0;
      let localMods = false;
      let remoteUrlChanged = false;
      if (!exists) {
        if (ctx.check || !allowClone) {
          return { ...result, changed: true, after: await remoteHead(repo, true) };
        }
        const branchOrTag = (await isRemoteBranch(repo)) || (await isRemoteTag(repo));
        const clone = cloneArgv({ git, repo, dest: dest!, remote, depth: a.depth, version, bare, reference: a.reference, refspec: a.refspec, singleBranch: a.single_branch ?? false, branchOrTag });
        if (clone.warning) result.warnings!.push(clone.warning);
        await must(['mkdir', '-p', posix.dirname(dest!)]);
        await must(clone.argv, posix.dirname(dest!));
        if (bare && remote !== 'origin') await must([git, 'remote', 'add', remote, repo], dest);
        if (a.refspec) await must([git, 'fetch', ...(a.depth ? ['--depth', String(a.depth)] : []), remote, a.refspec], dest);
      } else if (!(a.update ?? true)) {
        const sha = await revParse();
        return { ...result, before: sha, after: sha };
      } else {
        localMods = bare ? false : hasLocalMods((await run([git, 'status', '--porcelain'], dest)).stdout);
        result.before = await revParse();
        if (localMods) {
          if (!force) return { ...result, failed: true, msg: `Local modifications exist in the destination: ${dest} (force=no).` };
          if (!ctx.check) {
            await must([git, 'reset', '--hard', 'HEAD'], dest);
            Object.assign(result, { changed: true, msg: `Local modifications exist in the destination: ${dest}` });
          }
        }
        const urlOut = await run([git, 'config', '--get', `remote.${remote}.url`], dest);
        const remoteUrl = urlOut.code === 0 ? urlOut.stdout.trim() : undefined;
        const differs = remoteUrl !== repo && unfrackGitPath(remoteUrl) !== unfrackGitPath(repo);
        if (ctx.check) remoteUrlChanged = !!remoteUrl && differs;
        else if (differs) {
          await must([git, 'remote', 'set-url', remote, repo], dest, `Failed to set a new url ${repo} for ${remote}`);
          remoteUrlChanged = remoteUrl !== undefined;
        }
        result.remote_url_changed = remoteUrlChanged;
        if (ctx.check) {
          const head = await remoteHead(remote, false);
          return { ...result, changed: result.before !== head || remoteUrlChanged, after: head };
        }
        const currentHead = a.depth ? await headBranch() : undefined;
        const fetch = fetchArgv({
          git, remote, version, depth: a.depth, bare, refspec: a.refspec, force, currentHead,
          isRemoteBranch: !!a.depth && version !== 'HEAD' && !a.refspec && (await isRemoteBranch(repo, dest)),
          isRemoteTag: !!a.depth && version !== 'HEAD' && !a.refspec && (await isRemoteTag(repo, dest)),
        });
        const f = await run(fetch, dest);
        if (f.code !== 0) return { ...result, failed: true, msg: `Failed to download remote objects and refs: ${f.stdout} ${f.stderr}`, cmd: fetch };
      }
      if (!bare) await switchVersion();
      await submodules();
      result.after = await revParse();
      if (result.before !== result.after || localMods || remoteUrlChanged) result.changed = true;
      return result;
    } catch (err) {
      if (err instanceof GitFailure) return withOutputLines({ changed: false, ...err.result }) as GitResult;
      throw err;
    }
  },
});

export type { Args as GitArgs };
