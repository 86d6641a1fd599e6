import { posix } from 'node:path';
import { z } from 'zod';
import { shellJoin, shellQuote, type ModuleContext, type ModuleResult } from '@haweb/core';
import {
  isPipPackagePresent, parseRequirement, recoverPackageNames, requirementText, shlexSplit, withVersion,
} from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { boolish, stringList } from '../util/schema.js';

const STATE_ARGS = {
  present: ['install'],
  absent: ['uninstall', '-y'],
  latest: ['install', '-U'],
  forcereinstall: ['install', '-U', '--force-reinstall'],
} as const;

const VCS = /^(svn|git|hg|bzr)\+/;

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

async function sh(ctx: ModuleContext, script: string): Promise<Ran> {
  const r = await ctx.remote.run({ script }, { become: ctx.become, timeoutMs: 900_000 });
  return { code: r.code, stdout: r.stdout, stderr: r.stderr };
}

/** A command in a folder, with an umask and a PATH prefix when asked. */
function inDir(argv: string[], chdir: string, opts: { umask?: number; pathPrefix?: string } = {}): string {
  return [
    `cd ${shellQuote(chdir)}`,
    ...(opts.umask !== undefined ? [`umask ${opts.umask.toString(8).padStart(4, '0')}`] : []),
    ...(opts.pathPrefix ? [`PATH=${shellQuote(opts.pathPrefix)}:"$PATH"; export PATH`] : []),
    shellJoin(argv),
  ].join(' && ');
}

function failure(cmd: string[] | string, out: string, err: string): ModuleResult {
  let msg = '';
  if (out) msg += `stdout: ${out}`;
  if (err) msg += `\n:stderr: ${err}`;
  return { changed: false, failed: true, cmd, msg };
}

/**
 * Ansible's pip, as the module runs it on the host: the pip of the host's python3 (`python3 -m
 * pip.__main__`), else `pip3` on the PATH, or `executable`, or the virtualenv's own pip (the
 * virtualenv made first with `virtualenv_command` when it has no bin/activate). `pip install`/
 * `uninstall -y` always runs (outside check mode) and the task is changed when pip says "Successfully
 * installed"/"Successfully uninstalled" (for requirements files and VCS links: when `pip list` differs
 * before and after). Check mode reads `pip list --format=freeze` and compares versions with the
 * requirement's specifiers. Like the module, it needs setuptools (pkg_resources) on the host's python3.
 * Examples: `pip: { name: supervisor, version: 4.2.5 }`, `pip: { requirements: /srv/app/requirements.txt, virtualenv: /srv/app/venv }`
 */
export const pipModule = defineHostModule({
  name: 'pip',
  aliases: ['ansible.builtin.pip'],
  description: 'Manage Python packages with pip (on the host\'s python3, a given pip, or a virtualenv).',
  args: z
    .strictObject({
      name: stringList.optional(),
      version: z.union([z.string(), z.number()]).transform(String).optional(),
      requirements: z.string().optional(),
      state: z.enum(['present', 'absent', 'latest', 'forcereinstall']).default('present'),
      virtualenv: z.string().optional(),
      virtualenv_site_packages: boolish.optional(),
      virtualenv_command: z.string().default('virtualenv'),
      virtualenv_python: z.string().optional(),
      extra_args: z.string().optional(),
      editable: boolish.optional(),
      chdir: z.string().optional(),
      executable: z.string().optional(),
      umask: z.union([z.string(), z.number()]).optional(),
    })
    .refine((a) => a.name !== undefined || a.requirements !== undefined, { message: 'one of the following is required: name, requirements' })
    .refine((a) => a.name === undefined || a.requirements === undefined, { message: 'parameters are mutually exclusive: name|requirements' })
    .refine((a) => a.executable === undefined || a.virtualenv === undefined, { message: 'parameters are mutually exclusive: executable|virtualenv' }),
  checkMode: 'full',
  async run(a, ctx) {
    let umask: number | undefined;
    if (a.umask !== undefined) {
      umask = typeof a.umask === 'number' ? parseInt(String(a.umask), 8) : parseInt(a.umask, 8);
      if (!Number.isInteger(umask) || !/^[0-7]+$/.test(String(a.umask))) return { changed: false, failed: true, msg: 'umask must be an octal integer' };
    }
    // The module imports pkg_resources (setuptools) before anything else.
    const probe = await sh(ctx, 'p=$(command -v python3) || { echo nopython; exit 0; }; echo "$p"; "$p" -c "import pkg_resources" 2>/dev/null && echo setuptools; "$p" -c "import importlib.util, sys; sys.exit(0 if importlib.util.find_spec(\'pip\') else 1)" 2>/dev/null && echo pipmodule; command -v pip3 || true');
    const lines = probe.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
    if (lines[0] === 'nopython') return { changed: false, failed: true, msg: 'no python3 on the host: Ansible\'s pip module runs under the host\'s python3' };
    const python = lines[0];
    if (!lines.includes('setuptools')) {
      return { changed: false, failed: true, msg: `Failed to import the required Python library (setuptools) on ${ctx.hostName}'s Python ${python}. Please read the module documentation and install it in the appropriate location.` };
    }
    const hasPipModule = lines.includes('pipmodule');
    const pip3 = lines.find((l) => l.startsWith('/') && l !== python);

    if (a.state === 'latest' && a.version !== undefined) return { changed: false, failed: true, msg: 'version is incompatible with state=latest' };
    const chdir = a.chdir ?? '/tmp';
    const env = a.virtualenv !== undefined && a.chdir !== undefined ? posix.join(a.chdir, a.virtualenv) : a.virtualenv;
    let out = '';
    let err = '';
    let venvCreated = false;

    if (env !== undefined) {
      const exists = await sh(ctx, `[ -e ${shellQuote(posix.join(env, 'bin', 'activate'))} ]`);
      if (exists.code !== 0) {
        venvCreated = true;
        if (ctx.check) return { changed: true };
        const cmd = shlexSplit(a.virtualenv_command);
        if (posix.basename(cmd[0]) === cmd[0]) {
          const found = await sh(ctx, `command -v ${shellQuote(cmd[0])}`);
          if (found.code !== 0 || !found.stdout.trim()) return { changed: false, failed: true, msg: `Failed to find required executable "${cmd[0]}" in paths` };
          cmd[0] = found.stdout.trim();
        }
        if (a.virtualenv_site_packages) cmd.push('--system-site-packages');
        else {
          const help = await sh(ctx, `${shellQuote(cmd[0])} --help`);
          if (help.code !== 0) return { changed: false, failed: true, msg: `Could not get output from ${cmd[0]} --help: ${help.stdout}${help.stderr}` };
          if (help.stdout.trim().split(/\s+/).includes('--no-site-packages')) cmd.push('--no-site-packages');
        }
        if (!['pyvenv', '-m venv'].some((x) => a.virtualenv_command.includes(x))) cmd.push(`-p${a.virtualenv_python ?? python}`);
        else if (a.virtualenv_python) return { changed: false, failed: true, msg: 'virtualenv_python should not be used when using the venv module or pyvenv as virtualenv_command' };
        cmd.push(env);
        const made = await sh(ctx, inDir(cmd, chdir, { umask }));
        out += made.stdout;
        err += made.stderr;
        if (made.code !== 0) return failure(cmd, out, err);
      }
    }

    // Which pip, as the module's _get_pip.
    let pip: string[];
    if (a.executable !== undefined) {
      if (posix.isAbsolute(a.executable)) pip = [a.executable];
      else {
        const found = await sh(ctx, `command -v ${shellQuote(a.executable)}`);
        if (found.code !== 0 || !found.stdout.trim()) return { changed: false, failed: true, msg: `Unable to find any of ${a.executable} to use.  pip needs to be installed.` };
        pip = [found.stdout.trim()];
      }
    } else if (env !== undefined) {
      const found = await sh(ctx, `for c in ${shellQuote(posix.join(env, 'bin', 'pip3'))} ${shellQuote(posix.join(env, 'bin', 'pip'))}; do [ -x "$c" ] && { echo "$c"; exit 0; }; done; exit 1`);
      if (found.code !== 0) {
        return { changed: false, failed: true, msg: `Unable to find pip in the virtualenv, ${env}, under any of these names: pip3, pip. Make sure pip is present in the virtualenv.` };
      }
      pip = [found.stdout.trim()];
    } else if (hasPipModule) pip = [python, '-m', 'pip.__main__'];
    else if (pip3) pip = [pip3];
    else return { changed: false, failed: true, msg: 'Unable to find any of pip3 to use.  pip needs to be installed.' };

    const cmd = [...pip, ...STATE_ARGS[a.state]];
    const pathPrefix = env !== undefined ? posix.join(env, 'bin') : undefined;
    const hasVcs = (a.name ?? []).some((n) => VCS.test(n));
    let packages: string[] = [];
    if (a.name) {
      const recovered = recoverPackageNames(a.name);
      packages = recovered.map((p) => {
        const req = parseRequirement(p);
        return req ? requirementText(req) : p;
      });
      if (a.version !== undefined) {
        if (packages.length > 1) {
          return { changed: false, failed: true, msg: "'version' argument is ambiguous when installing multiple package distributions. Please specify version restrictions next to each package in 'name' argument." };
        }
        if ((parseRequirement(packages[0])?.specs.length ?? 0) > 0) {
          return { changed: false, failed: true, msg: "The 'version' argument conflicts with any version specifier provided along with a package name. Please keep the version specifier, but remove the 'version' argument." };
        }
        const joined = withVersion(packages[0], a.version);
        const req = parseRequirement(joined);
        packages[0] = req ? requirementText(req) : joined;
      }
    }
    let extraArgs = a.extra_args;
    if (a.editable) {
      const list = extraArgs ? extraArgs.split(' ') : [];
      if (!list.includes('-e')) {
        list.push('-e');
        extraArgs = list.join(' ');
      }
    }
    if (extraArgs) cmd.push(...shlexSplit(extraArgs));
    if (a.name) cmd.push(...packages);
    else if (a.requirements) cmd.push('-r', a.requirements);

    const listPackages = async (): Promise<{ cmd: string; out: string; err: string } | { failed: ModuleResult }> => {
      const list = await sh(ctx, inDir([...pip, 'list', '--format=freeze'], chdir, { umask }));
      if (list.code === 0) return { cmd: [...pip, 'list', '--format=freeze'].join(' '), out: list.stdout, err: list.stderr };
      const freeze = await sh(ctx, inDir([...pip, 'freeze'], chdir, { umask }));
      if (freeze.code !== 0) return { failed: failure([...pip, 'freeze'], freeze.stdout, freeze.stderr) };
      return { cmd: [...pip, 'freeze'].join(' '), out: freeze.stdout, err: freeze.stderr };
    };

    if (ctx.check) {
      if (extraArgs || a.requirements || a.state === 'latest' || !a.name) return { changed: true };
      const listed = await listPackages();
      if ('failed' in listed) return listed.failed;
      out += listed.out;
      err += listed.err;
      const lines2 = out.split('\n').filter((p) => p && !p.startsWith('You are using') && !p.startsWith('You should consider'));
      const changed = packages.some((p) => {
        const present = isPipPackagePresent(parseRequirement(p), lines2);
        return (a.state === 'present' && !present) || (a.state === 'absent' && present);
      });
      return { changed, cmd: listed.cmd, stdout: out, stderr: err };
    }

    let freezeBefore: string | undefined;
    if (a.requirements || hasVcs) {
      const listed = await listPackages();
      if ('failed' in listed) return listed.failed;
      freezeBefore = listed.out;
    }
    ctx.progress(`pip ${STATE_ARGS[a.state][0]} ${a.name ? packages.join(' ') : `-r ${a.requirements}`}`);
    const ran = await sh(ctx, inDir(cmd, chdir, { umask, pathPrefix }));
    out += ran.stdout;
    err += ran.stderr;
    if (ran.code === 1 && a.state === 'absent' && (ran.stdout.includes('not installed') || ran.stderr.includes('not installed'))) {
      // pip exits 1 when asked to uninstall a package that is not installed.
    } else if (ran.code !== 0) return failure(cmd, out, err);
    let changed: boolean;
    if (a.state === 'absent') changed = ran.stdout.includes('Successfully uninstalled');
    else if (freezeBefore === undefined) changed = ran.stdout.includes('Successfully installed');
    else {
      const after = await listPackages();
      if ('failed' in after) return after.failed;
      changed = freezeBefore !== after.out;
    }
    return {
      changed: changed || venvCreated,
      cmd,
      name: a.name ?? null,
      version: a.version ?? null,
      state: a.state,
      requirements: a.requirements ?? null,
      virtualenv: env ?? null,
      stdout: out,
      stderr: err,
    };
  },
});
