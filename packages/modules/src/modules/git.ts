import { posix } from 'node:path';
import { z } from 'zod';
import {
  annotatedTags,
  archiveArgv,
  archiveFormat,
  cloneArgv,
  fetchArgv,
  gitDirFromFile,
  gitPreparedDiff,
  gitmodulesPaths,
  gitSshCommand,
  gpgFingerprint,
  hasLocalMods,
  headBranchFromFile,
  isDetached,
  isLocalBranch,
  parseBranches,
  submoduleUpdateArgv,
  submoduleUpdateParams,
  submodulesOutOfDate,
  submoduleVersions,
  tagRevision,
  unfrackGitPath,
} from '@haweb/hostkit';
import { shellJoin, type ModuleContext, type ModuleResult, type RunResult } from '@haweb/core';
import { defineHostModule } from '../util/define.js';
import { withOutputLines } from '../util/output-lines.js';
import { boolish, intish, remotePath, stringList, withAliases } from '../util/schema.js';

/**
 * Return values (Ansible's RETURN of git): before (the commit before, null for a new clone), after
 * (the commit checked out, or the remote's in check mode), remote_url_changed (an existing checkout),
 * warnings, msg when local modifications were discarded (force), submodules_changed, and
 * git_dir_before/git_dir_now when the repository was moved to separate_git_dir; with --diff, diff
 * (`prepared`: "Newly checked out <commit>" or `git diff before after`) when the checkout moved.
 */
export type GitResult = ModuleResult & {
  before: string | null;
  after?: string | null;
  remote_url_changed?: boolean;
  warnings?: string[];
  submodules_changed?: boolean;
  git_dir_before?: string;
  git_dir_now?: string;
};

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
      track_submodules: boolish.optional(),
      verify_commit: boolish.optional(),
      gpg_whitelist: stringList.optional(),
      archive: remotePath.optional(),
      archive_prefix: z.string().optional(),
      separate_git_dir: remotePath.optional(),
    })
    // Ansible's mutually_exclusive and required_by: by presence of the options, whatever their values.
    .refine((a) => !(a.separate_git_dir !== undefined && a.bare !== undefined), { message: 'parameters are mutually exclusive: separate_git_dir|bare' })
    .refine((a) => !(a.accept_hostkey !== undefined && a.accept_newhostkey !== undefined), { message: 'parameters are mutually exclusive: accept_hostkey|accept_newhostkey' })
    .refine((a) => a.archive_prefix === undefined || a.archive !== undefined, { message: "missing parameter(s) required by 'archive_prefix': archive" })
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
    let repoPath = dest === undefined ? undefined : bare ? dest : posix.join(dest, '.git');
    const test = async (flag: '-e' | '-f' | '-d', path: string) => (await run(['test', flag, path])).code === 0;
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
    /** --diff: Ansible's get_diff for a checkout that moved (registered as diff.prepared, shown as it is). */
    const withDiff = async (r: GitResult): Promise<GitResult> => {
      if (!ctx.diff || typeof r.after !== 'string') return r;
      const moved = r.before !== null && r.before !== r.after ? await run([git, 'diff', r.before, r.after], dest) : undefined;
      const prepared = gitPreparedDiff(r.before, r.after, moved);
      return prepared === undefined ? r : { ...r, diff: [{ before: '', after: '', prepared }], ansibleDiff: { prepared } };
    };
    /** Ansible's module.fail_json(msg, ...): the result so far (before, after...) is not part of it. */
    const fail = (extra: Record<string, unknown>): never => {
      throw new GitFailure({ failed: true, ...extra });
    };
    /** verify_commit_sign: verify-tag for an annotated tag, verify-commit otherwise; gpg_whitelist by fingerprint. */
    const verifySign = async (): Promise<void> => {
      const refs = await run([git, 'for-each-ref', 'refs/tags/', '--format', '%(objecttype):%(refname:short)'], dest);
      if (refs.code !== 0) fail({ msg: `Could not determine tag data - received ${refs.stdout}`, stdout: refs.stdout, stderr: refs.stderr });
      const whitelist = a.gpg_whitelist ?? [];
      const argv = [git, annotatedTags(refs.stdout).includes(version) ? 'verify-tag' : 'verify-commit', version, ...(whitelist.length ? ['--raw'] : [])];
      const r = await run(argv, dest);
      if (r.code !== 0) fail({ msg: `Failed to verify GPG signature of commit/tag "${version}"`, stdout: r.stdout, stderr: r.stderr, rc: r.code });
      if (whitelist.length) {
        const fingerprint = gpgFingerprint(r.stderr);
        if (fingerprint === undefined || !whitelist.includes(fingerprint)) {
          fail({ msg: `The gpg_whitelist does not include the public key "${fingerprint ?? 'None'}" for this commit`, stdout: r.stdout, stderr: r.stderr, rc: r.code });
        }
      }
    };
    /** relocate_repo: the repository moved to separate_git_dir, the work tree's .git a file naming it. */
    const relocate = async (to: string, from: string, worktree: string): Promise<void> => {
      if (await test('-e', to)) fail({ msg: `Separate-git-dir path ${to} already exists.` });
      const moved = await run(['mv', '--', from, to]);
      const wrote = moved.code === 0 ? await run(['sh', '-c', 'printf "gitdir: %s" "$1" > "$2"', 'sh', to, posix.join(worktree, '.git')]) : moved;
      if (wrote.code !== 0) {
        if (await test('-e', to)) await run(['mv', '--', to, from]);
        fail({ msg: `Unable to move git dir. ${wrote.stderr.trim()}` });
      }
      result.git_dir_before = from;
      result.git_dir_now = to;
    };
    /** get_submodule_versions */
    const submoduleHeads = async (rev: string): Promise<string> => {
      const r = await run([git, 'submodule', 'foreach', git, 'rev-parse', rev], dest);
      if (r.code !== 0) fail({ msg: 'Unable to determine hashes of submodules', stdout: r.stdout, stderr: r.stderr, rc: r.code });
      try {
        return JSON.stringify(Object.entries(submoduleVersions(r.stdout)).sort());
      } catch (err) {
        return fail({ msg: (err as Error).message });
      }
    };
    /** submodules_fetch: whether the submodules need an update (a new one, or one not where it should be). */
    const submodulesFetch = async (): Promise<boolean> => {
      const text = await readFile(posix.join(dest!, '.gitmodules'));
      if (text === undefined) return false;
      for (const path of gitmodulesPaths(text)) if (!(await test('-e', posix.join(dest!, path, '.git')))) return true;
      const begin = await submoduleHeads('HEAD');
      await must([git, 'submodule', 'foreach', git, 'fetch'], dest);
      if (a.track_submodules) return begin !== (await submoduleHeads(`${remote}/master`));
      return submodulesOutOfDate((await must([git, 'submodule', 'status'], dest)).stdout);
    };
    /** submodule_update: sync, then update --init --recursive (--remote when tracking and this git has it). */
    const submoduleUpdate = async (): Promise<void> => {
      const params = submoduleUpdateParams((await run([git, 'submodule', 'update', '--help'], dest)).stderr);
      if (!(await test('-e', posix.join(dest!, '.gitmodules')))) return;
      await must([git, 'submodule', 'sync'], dest);
      const r = await run(submoduleUpdateArgv(git, params.includes('remote') && (a.track_submodules ?? false), force), dest);
      if (r.code !== 0) fail({ msg: `Failed to init/update submodules: ${r.stdout}${r.stderr}` });
    };
    /** create_archive: git archive of `version` from the checkout, replacing an existing archive only when it differs. */
    const createArchive = async (archive: string): Promise<void> => {
      const fmt = archiveFormat(archive);
      if (fmt === undefined) {
        fail({
          msg: `Unable to get file extension from archive file name : ${archive}`,
          details: "Please specify archive as filename with extension. File extension can be one of ['tar', 'tar.gz', 'zip', 'tgz']",
        });
      }
      const gitArchive = async (output: string) => {
        const r = await run(archiveArgv(git, fmt!, output, version, a.archive_prefix), dest);
        if (r.code !== 0) fail({ msg: 'Failed to perform archive operation', details: `Git archive command failed to create archive ${output} using ${dest} directory.Error: ${r.stderr}` });
      };
      if (!(await test('-e', archive))) {
        await gitArchive(archive);
        result.changed = true;
        return;
      }
      const tmp = (await must(['mktemp', '-d'])).stdout.trim();
      const fresh = posix.join(tmp, `${repo.split('/').pop()!.replaceAll('.git', '')}.${fmt}`);
      try {
        await gitArchive(fresh);
        if ((await run(['cmp', '-s', fresh, archive])).code === 0) result.changed = false;
        else {
          const moved = await run(['mv', '--', fresh, archive]);
          if (moved.code !== 0) fail({ msg: `Failed to move ${fresh} to ${archive}`, details: `Error occurred while moving : ${moved.stderr.trim()}` });
          result.changed = true;
        }
      } finally {
        await run(['rm', '-rf', '--', tmp]);
      }
    };

    try {
      let separateGitDir: string | undefined;
      if (a.separate_git_dir !== undefined) separateGitDir = (await must(['realpath', '-m', '--', a.separate_git_dir])).stdout.trim();
      if (dest !== undefined) {
        // get_repo_path: a .git file names the repository (a submodule's, or one apart from the work tree).
        if (await test('-f', repoPath!)) {
          try {
            repoPath = gitDirFromFile((await readFile(repoPath!)) ?? '', dest);
            if (!(await test('-d', repoPath))) throw new Error(`${repoPath} is not a directory`);
          } catch (err) {
            fail({ msg: 'Current repo does not have a valid reference to a separate Git dir or it refers to the invalid path', details: (err as Error).message });
          }
        }
        if (separateGitDir !== undefined && (await test('-e', repoPath!)) && separateGitDir !== repoPath) {
          result.changed = true;
          if (!ctx.check) {
            await relocate(separateGitDir, repoPath!, dest);
            repoPath = separateGitDir;
          }
        }
      }
      const exists = repoPath !== undefined && (await test('-e', posix.join(repoPath, 'config')));
      let localMods = false;
      let remoteUrlChanged = false;
      if (!exists) {
        if (ctx.check || !allowClone) {
          return withDiff({ ...result, changed: true, after: await remoteHead(repo, true) });
        }
        const branchOrTag = (await isRemoteBranch(repo)) || (await isRemoteTag(repo));
        const clone = cloneArgv({ git, repo, dest: dest!, remote, depth: a.depth, version, bare, reference: a.reference, refspec: a.refspec, singleBranch: a.single_branch ?? false, branchOrTag, separateGitDir });
        if (clone.warning) result.warnings!.push(clone.warning);
        await must(['mkdir', '-p', posix.dirname(dest!)]);
        await must(clone.argv, posix.dirname(dest!));
        // The work tree's .git is now a file naming the repository apart (get_repo_path reads it on each use).
        if (separateGitDir !== undefined) repoPath = separateGitDir;
        if (bare && remote !== 'origin') await must([git, 'remote', 'add', remote, repo], dest);
        if (a.refspec) await must([git, 'fetch', ...(a.depth ? ['--depth', String(a.depth)] : []), remote, a.refspec], dest);
        if (a.verify_commit) await verifySign();
      } else if (!(a.update ?? true)) {
        result.before = await revParse();
        result.after = result.before;
        if (a.archive !== undefined) {
          if (ctx.check) return { ...result, changed: true };
          await createArchive(a.archive);
        }
        return result;
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
        const currentHead = a.depth ? await headBranch() : undefined;
        const fetchOf = async (v: string) =>
          fetchArgv({
            git, remote, version: v, depth: a.depth, bare, refspec: a.refspec, force, currentHead,
            isRemoteBranch: !!a.depth && v !== 'HEAD' && !a.refspec && (await isRemoteBranch(repo, dest)),
            isRemoteTag: !!a.depth && v !== 'HEAD' && !a.refspec && (await isRemoteTag(repo, dest)),
          });
        if (ctx.check) {
          const head = await remoteHead(remote, false);
          const checked: GitResult = { ...result, changed: result.before !== head || remoteUrlChanged, after: head };
          if (!ctx.diff || head === result.before) return checked;
          // Ansible's get_diff fetches the remote's commit first, in check mode too (its own FIXME), so
          // `git diff` has both commits.
          const fetch = await fetchOf(head);
          const f = await run(fetch, dest);
          if (f.code !== 0) return { ...result, failed: true, msg: `Failed to download remote objects and refs: ${f.stdout} ${f.stderr}`, cmd: fetch };
          return withDiff(checked);
        }
        const fetch = await fetchOf(version);
        const f = await run(fetch, dest);
        if (f.code !== 0) return { ...result, failed: true, msg: `Failed to download remote objects and refs: ${f.stdout} ${f.stderr}`, cmd: fetch };
      }
      if (!bare) {
        await switchVersion();
        if (a.verify_commit) await verifySign();
      }
      let submodulesUpdated = false;
      if ((a.recursive ?? true) && !bare && dest !== undefined) {
        submodulesUpdated = await submodulesFetch();
        if (submodulesUpdated) {
          result.submodules_changed = true;
          await submoduleUpdate();
        }
      }
      result.after = await revParse();
      const moved = result.before !== result.after || localMods || submodulesUpdated || remoteUrlChanged;
      if (moved) result.changed = true;
      if (a.archive !== undefined) await createArchive(a.archive);
      return moved ? withDiff(result) : result;
    } catch (err) {
      if (err instanceof GitFailure) return withOutputLines({ changed: false, ...err.result }) as GitResult;
      throw err;
    }
  },
});

export type { Args as GitArgs };
