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
