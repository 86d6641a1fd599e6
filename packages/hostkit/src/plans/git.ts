/**
 * A git checkout as Ansible's git module manages it: pure readers of git's output (ls-remote, status,
 * HEAD files, branch lists) and the argv of the commands it runs (clone, fetch, checkout), so the
 * module only sequences them on the host.
 */
import { posix } from 'node:path';

/** ls-remote output: [sha, ref] pairs. */
export function parseLsRemote(out: string): [string, string][] {
  return out.split('\n').map((l) => l.trim().split(/\s+/)).filter((p) => p.length >= 2 && /^[0-9a-f]{7,}$/.test(p[0])).map((p) => [p[0], p[1]] as [string, string]);
}

/** Ansible's has_local_mods: any `git status --porcelain` line but untracked (`??`) ones. */
export function hasLocalMods(porcelain: string): boolean {
  return porcelain.split('\n').some((l) => l.trim() !== '' && !l.startsWith('??'));
}

/** Ansible's head_splitter: the branch named by a HEAD file (`ref: refs/heads/main` -> main). */
export function headBranchFromFile(text: string, remote: string): string | undefined {
  const first = text.split('\n')[0];
  if (!first) return undefined;
  const raw = first.replace(`refs/remotes/${remote}`, '');
  const ref = raw.split(' ').pop() ?? '';
  return ref.split('/').slice(2).join('/') || ref.split('/').pop();
}

/** `git branch --no-color -a` lines, stripped. */
export function parseBranches(out: string): string[] {
  return out.split('\n').map((l) => l.trim()).filter(Boolean);
}

export function isLocalBranch(branches: readonly string[], version: string): boolean {
  return branches.includes(version) || branches.includes(`* ${version}`);
}

/** A detached HEAD: `git branch -a` shows `* (HEAD detached at ...)` or `* (no branch)`. */
export function isDetached(branches: readonly string[]): boolean {
  return branches.some((b) => /^\* \((HEAD detached|no branch)/.test(b));
}

/** What get_remote_head picks from ls-remote output for a tag: the peeled `^{}` line if there is one. */
export function tagRevision(out: string, version: string): string | undefined {
  let line: string | undefined;
  for (const l of out.split('\n')) {
    if (l.endsWith(`${version}^{}`)) {
      line = l;
      break;
    }
    if (l.endsWith(version)) line = l;
  }
  return line?.split(/\s+/)[0];
}

/** Ansible's unfrackgitpath: a URL or path compared after normalisation. */
export function unfrackGitPath(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  return path.startsWith('/') ? posix.normalize(path) : path;
}

/** GIT_SSH_COMMAND as Ansible's set_git_ssh_env builds it (git >= 2.3). */
export function gitSshCommand(opts: { sshOpts?: string; keyFile?: string; acceptHostkey: boolean; acceptNewHostkey: boolean }): string {
  let ssh = opts.sshOpts;
  for (const [asked, value] of [[opts.acceptHostkey, 'no'], [opts.acceptNewHostkey, 'accept-new']] as const) {
    if (!asked) continue;
    if (ssh === undefined) ssh = `-o StrictHostKeyChecking=${value}`;
    else if (!ssh.includes('-o StrictHostKeyChecking=no') && !ssh.includes('-o StrictHostKeyChecking=accept-new')) ssh += ` -o StrictHostKeyChecking=${value}`;
  }
  let full = ` ${ssh ?? ''}`;
  if (opts.acceptHostkey && !full.includes('StrictHostKeyChecking=no')) full += ' -o StrictHostKeyChecking=no';
  if (!full.includes('BatchMode=yes')) full += ' -o BatchMode=yes';
  if (opts.keyFile) {
    if (!full.includes(`-i ${opts.keyFile}`)) full += `  -i ${opts.keyFile}`;
    if (!full.includes('IdentitiesOnly=yes')) full += ' -o IdentitiesOnly=yes';
  }
  return `ssh ${full.trim()}`;
}

export interface CloneArgs {
  git: string;
  repo: string;
  dest: string;
  remote: string;
  depth?: number;
  version: string;
  bare: boolean;
  reference?: string;
  refspec?: string;
  singleBranch: boolean;
  /** version names a branch or tag of the remote. */
  branchOrTag: boolean;
  /** The repository apart from the work tree (clone --separate-git-dir). */
  separateGitDir?: string;
}

/** git clone's argv (Ansible's clone()), and a warning when depth cannot be used. */
export function cloneArgv(a: CloneArgs): { argv: string[]; warning?: string } {
  const argv = [a.git, 'clone', ...(a.bare ? ['--bare'] : ['--origin', a.remote])];
  let warning: string | undefined;
  if (a.depth) {
    if (a.version === 'HEAD' || a.refspec) argv.push('--depth', String(a.depth));
    else if (a.branchOrTag) argv.push('--depth', String(a.depth), '--branch', a.version);
    else warning = 'Ignoring depth argument. Shallow clones are only available for HEAD, branches, tags or in combination with refspec.';
  }
  if (a.reference) argv.push('--reference', a.reference);
  if (a.singleBranch) {
    argv.push('--single-branch');
    if (a.branchOrTag) argv.push('--branch', a.version);
  }
  if (a.separateGitDir) argv.push(`--separate-git-dir=${a.separateGitDir}`);
  argv.push(a.repo, a.dest);
  return { argv, ...(warning ? { warning } : {}) };
}

export interface FetchArgs {
  git: string;
  remote: string;
  version: string;
  depth?: number;
  bare: boolean;
  refspec?: string;
  force: boolean;
  currentHead?: string;
  isRemoteBranch: boolean;
  isRemoteTag: boolean;
}

/** git fetch's argv (Ansible's fetch() for git >= 1.9). */
export function fetchArgv(a: FetchArgs): string[] {
  const cmd = [a.git, 'fetch'];
  let refspecs: string[] = [];
  if (a.depth) {
    if (a.refspec) refspecs.push(a.refspec);
    else if (a.version === 'HEAD') {
      if (a.currentHead) refspecs.push(a.currentHead);
    } else if (a.isRemoteBranch) {
      if (a.currentHead !== a.version) refspecs.push(`+refs/heads/${a.version}:refs/heads/${a.version}`);
      refspecs.push(`+refs/heads/${a.version}:refs/remotes/${a.remote}/${a.version}`);
    } else if (a.isRemoteTag) refspecs.push(`+refs/tags/${a.version}:refs/tags/${a.version}`);
    if (refspecs.length) cmd.push('--depth', String(a.depth));
  }
  if (!a.depth || refspecs.length === 0) {
    if (a.bare) refspecs = ['+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*'];
    else cmd.push('--tags');
    if (a.refspec) refspecs.push(a.refspec);
  }
  if (a.force) cmd.push('--force');
  return [...cmd, a.remote, ...refspecs];
}

/**
 * Ansible's get_repo_path for a `.git` *file* (a work tree whose repository is elsewhere: a submodule,
 * separate_git_dir): the repository it names, absolute or relative to `dest`. Throws on a file that is
 * not `gitdir: PATH` (the caller also checks that the path is a directory).
 */
export function gitDirFromFile(text: string, dest: string): string {
  const data = text.replace(/\s+$/, '');
  const at = data.indexOf('gitdir: ');
  if (at !== 0) throw new Error('.git file has invalid git dir reference format');
  const gitdir = data.slice('gitdir: '.length);
  return gitdir.startsWith('/') ? gitdir : posix.join(dest, gitdir);
}

/** get_annotated_tags: the tags of `for-each-ref refs/tags/ --format %(objecttype):%(refname:short)` that are tag objects. */
export function annotatedTags(out: string): string[] {
  return out.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => l.split(':')).filter(([type]) => type === 'tag').map(([, name]) => name);
}

/** get_gpg_fingerprint: the primary key's fingerprint from `verify-commit --raw` status lines (VALIDSIG). */
export function gpgFingerprint(raw: string): string | undefined {
  for (const line of raw.split('\n')) {
    const data = line.split(/\s+/).filter(Boolean);
    if (data[1] !== 'VALIDSIG') continue;
    // Ansible's index: 11 for an 11-field line (beyond its end), else the third field
    return data[data.length === 11 ? 11 : 2];
  }
  return undefined;
}

/** create_archive's format by the archive's extension (the last one: .tar.gz is .gz), or undefined. */
export function archiveFormat(path: string): 'zip' | 'tar.gz' | 'tar' | 'tgz' | undefined {
  const ext = posix.extname(path);
  return ({ '.zip': 'zip', '.gz': 'tar.gz', '.tar': 'tar', '.tgz': 'tgz' } as const)[ext as '.zip'];
}

/** git archive's argv (Ansible's git_archive). */
export function archiveArgv(git: string, fmt: string, output: string, version: string, prefix?: string): string[] {
  return [git, 'archive', '--format', fmt, '--output', output, ...(prefix !== undefined ? ['--prefix', prefix] : []), version];
}

/** The `path = ...` entries of a .gitmodules file. */
export function gitmodulesPaths(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('path')).map((l) => l.split('=').slice(1).join('=').trim());
}

/**
 * get_submodule_versions: `git submodule foreach git rev-parse REV` output as submodule -> commit.
 * Throws with Ansible's message on a line it cannot read.
 */
export function submoduleVersions(out: string): Record<string, string> {
  const found: Record<string, string> = {};
  let name: string | undefined;
  for (const line of out.split('\n').filter((l) => l !== '')) {
    if (line.startsWith("Entering '")) name = line.slice(10, -1);
    else if (line.trim().length === 40 && name !== undefined) {
      found[name] = line.trim();
      name = undefined;
    } else throw new Error(`Unable to parse submodule hash line: ${line.trim()}`);
  }
  if (name !== undefined) throw new Error(`Unable to find hash for submodule: ${name}`);
  return found;
}

/** submodules_fetch without track_submodules: a `git submodule status` line not starting with a space is a submodule not at the recorded commit. */
export function submodulesOutOfDate(status: string): boolean {
  return status.split('\n').some((l) => l !== '' && l[0] !== ' ');
}

/** submodule_update's argv after `git submodule sync` (--remote when tracking the submodules' branches). */
export function submoduleUpdateArgv(git: string, track: boolean, force: boolean): string[] {
  return [git, 'submodule', 'update', '--init', '--recursive', ...(track ? ['--remote'] : []), ...(force ? ['--force'] : [])];
}

/**
 * get_submodule_update_params: the long options of `git submodule update` that this git has, read from
 * the usage line it prints on stderr for `git submodule update --help` in a repository (`remote`...).
 */
export function submoduleUpdateParams(stderr: string): string[] {
  let line: string | undefined;
  for (const l of stderr.split('\n')) if (l.includes('git submodule [--quiet] update ')) line = l;
  if (line === undefined) return [];
  return line.replace(/[[\]|]/g, (c) => (c === '|' ? ' ' : '')).split(/\s+/).filter((p) => p.startsWith('--')).map((p) => p.replace(/--/g, ''));
}

/**
 * What --diff shows for a checkout, as Ansible's git get_diff words it (registered as
 * `diff.prepared`): a new clone names the commit checked out; a move between two commits is `git diff
 * before after` (`diff` is its result: undefined when nothing moved, so no diff is reported).
 */
export function gitPreparedDiff(before: string | null, after: string, diff?: { code: number; stdout: string; stderr: string }): string | undefined {
  if (before === null) return `>> Newly checked out ${after}`;
  if (before === after || diff === undefined) return undefined;
  if (diff.code === 0) return diff.stdout ? diff.stdout : `>> No visual differences between ${before} and ${after}`;
  if (diff.stderr) return `>> Failed to get proper diff between ${before} and ${after}:\n>> ${diff.stderr}`;
  return `>> Failed to get proper diff between ${before} and ${after}`;
}
