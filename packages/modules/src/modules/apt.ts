import { z } from 'zod';
import { shellJoin, shellQuote, type ModuleContext, type ModuleResult, type RunResult } from '@haweb/core';
import {
  POLICY_RC_D, POLICY_RC_D_SCRIPT, aptDpkgOptions, aptRetryDelay, planAptBindingsInstall, aptGetDidNothing, aptPolicyFor, aptPreparedDiff, failed, fnmatch, isAptPattern,
  parseAptPolicyTable, planAptSpec, splitAptSpec,
} from '@haweb/hostkit';
import { aptCacheStale, aptCacheTime, aptPythonBindings } from '../facts/apt-cache.js';
import { defineHostModule } from '../util/define.js';
import { withOutputLines } from '../util/output-lines.js';
import { boolish, intish, stringList, withAliases } from '../util/schema.js';

/**
 * Debian-family packages with apt-get, as Ansible's apt module drives it: each spec (`name`,
 * `name=version` with shell patterns in the version, `name>=version`, name patterns such as `hel?o`)
 * is checked against `apt-cache policy`; what is missing or older goes to one `apt-get install` (with
 * `--simulate` in check mode), whose output is returned (stdout, stderr, diff.prepared). Also `deb`
 * (a .deb on the host or at a URL), `upgrade` (dist/full/safe/yes), `autoremove`, `autoclean`,
 * `state: build-dep` and `fixed`, `only_upgrade`, `fail_on_autoremove`, `allow_change_held_packages`, `force`.
 * Examples: `apt: { name: keepalived, state: present, update_cache: yes }`,
 * `apt: update_cache=yes cache_valid_time=3600` (only the cache), `apt: { upgrade: dist, autoremove: yes }`.
 */
const args = withAliases(
  z
    .strictObject({
      name: stringList.optional(),
      deb: z.string().optional(),
      state: z.enum(['present', 'installed', 'absent', 'removed', 'latest', 'build-dep', 'fixed']).optional(),
      update_cache: boolish.optional(),
      cache_valid_time: intish.optional(),
      install_recommends: boolish.optional(),
      purge: boolish.optional(),
      default_release: z.string().optional(),
      allow_unauthenticated: boolish.optional(),
      allow_downgrade: boolish.optional(),
      allow_change_held_packages: boolish.optional(),
      dpkg_options: stringList.optional(),
      // Ansible falls back to aptitude for `upgrade` unless this is set; this module always uses apt-get.
      force_apt_get: boolish.optional(),
      // The exit code /usr/sbin/policy-rc.d gives during the install/remove (101: no service started).
      policy_rc_d: intish.optional(),
      upgrade: z.union([z.enum(['dist', 'full', 'no', 'safe', 'yes']), z.boolean().transform((b) => (b ? 'yes' : 'no'))]).optional(),
      autoremove: boolish.optional(),
      autoclean: boolish.optional(),
      only_upgrade: boolish.optional(),
      fail_on_autoremove: boolish.optional(),
      force: boolish.optional(),
      clean: boolish.optional(),
      update_cache_retries: intish.optional(),
      update_cache_retry_max_delay: intish.optional(),
    })
    .refine((a) => [a.deb, a.name, a.upgrade !== undefined && a.upgrade !== 'no' ? a.upgrade : undefined].filter((x) => x !== undefined).length <= 1, {
      message: 'parameters are mutually exclusive: deb|package|upgrade',
    }),
  // Ansible's required_one_of (autoremove, deb, package, update_cache, upgrade) never refuses: autoremove has a default.
  {
    name: ['package', 'pkg'], update_cache: ['update-cache'], install_recommends: ['install-recommends'], default_release: ['default-release'],
    allow_unauthenticated: ['allow-unauthenticated'], allow_downgrade: ['allow-downgrade', 'allow_downgrades', 'allow-downgrades'],
  },
);
type Args = z.output<typeof args>;

/** As Ansible's apt runs apt-get: no prompts, C messages. */
const APT_ENV = { DEBIAN_FRONTEND: 'noninteractive', DEBIAN_PRIORITY: 'critical', LANG: 'C', LC_ALL: 'C', LC_MESSAGES: 'C', LC_CTYPE: 'C' };

async function sh(ctx: ModuleContext, argv: string[], policyRcD?: number): Promise<RunResult> {
  const wrapped = policyRcD === undefined ? argv : ['sh', '-c', POLICY_RC_D_SCRIPT, 'policy-rc.d', POLICY_RC_D, String(policyRcD), ...argv];
  return ctx.remote.run({ argv: wrapped }, { become: ctx.become, env: APT_ENV, timeoutMs: 1_800_000 });
}

/** The apt-get flags every operation shares, in Ansible's order. */
function flags(a: Args, ctx: ModuleContext, extra: { autoremove?: boolean; noRemove?: boolean } = {}): string[] {
  return [
    '-y',
    ...aptDpkgOptions(a.dpkg_options),
    ...(a.force ? ['--force-yes'] : []),
    ...(extra.autoremove ? ['--auto-remove'] : []),
    ...(extra.noRemove ? ['--no-remove'] : []),
    ...(ctx.check ? ['--simulate'] : []),
  ];
}

function releaseAndAllow(a: Args): string[] {
  return [
    ...(a.default_release ? ['-t', a.default_release] : []),
    ...(a.install_recommends === undefined ? [] : ['-o', `APT::Install-Recommends=${a.install_recommends ? 'yes' : 'no'}`]),
    ...(a.allow_unauthenticated ? ['--allow-unauthenticated'] : []),
    ...(a.allow_downgrade ? ['--allow-downgrades'] : []),
    ...(a.allow_change_held_packages ? ['--allow-change-held-packages'] : []),
  ];
}

/** Ansible's diff of apt (registered: `{prepared}` under --diff, else `{}`), shown as it is under --diff. */
const diffOf = (ctx: ModuleContext, out: string): Pick<ModuleResult, 'diff' | 'ansibleDiff'> => {
  if (!ctx.diff) return { ansibleDiff: {} };
  const prepared = aptPreparedDiff(out);
  return { ansibleDiff: prepared, diff: [{ before: '', after: '', prepared: prepared.prepared }] };
};

export const aptModule = defineHostModule({
  name: 'apt',
  aliases: ['ansible.builtin.apt'],
  description: 'Install, upgrade or remove Debian packages with apt-get, only when needed; update the APT cache when it is older than asked.',
  freeFormKey: 'name',
  args,
  checkMode: 'full',
  async run(a, ctx) {
    return withOutputLines(await converge(a, ctx));
  },
});

async function converge(a: Args, ctx: ModuleContext): Promise<ModuleResult> {
  const bindings = await ensurePythonBindings(a, ctx);
  if (bindings) return bindings;
  const state = a.state === 'installed' ? 'present' : a.state === 'removed' ? 'absent' : (a.state ?? 'present');
  const upgrade = a.upgrade === 'no' ? undefined : a.upgrade;
  if (a.clean) {
    // As Ansible: `apt-get clean` first, in check mode too; alone, the task is changed with its output.
    const r = await sh(ctx, ['apt-get', 'clean']);
    if (r.code !== 0) return failed('apt-get clean failed', { stdout: r.stdout, rc: r.code });
    if (r.stderr) return failed(`apt-get clean failed: ${r.stderr}`, { stdout: r.stdout, rc: r.code });
    if (!a.name?.length && !upgrade && a.deb === undefined) return { changed: true, msg: r.stdout, stdout: r.stdout, stderr: r.stderr };
  }
  // Ansible: a cache_valid_time alone asks for an update too; 0 (the default) means "always".
  let cache = { updated: false, time: 0 };
  if (a.update_cache || (a.cache_valid_time ?? 0) > 0) {
    const r = await updateAptCache(ctx, a.cache_valid_time ?? 0, { retries: a.update_cache_retries ?? 5, maxDelay: a.update_cache_retry_max_delay ?? 12 });
    if ('error' in r) return failed(`Failed to update apt cache: ${r.error}`);
    cache = r;
    if (!a.name?.length && !upgrade && a.deb === undefined) return { changed: cache.updated, cache_updated: cache.updated, cache_update_time: cache.time };
  } else {
    cache.time = (await ctx.fact(aptCacheTime, {})).updated;
  }
  if (upgrade) return runUpgrade(a, ctx, upgrade);
  if (a.deb !== undefined) {
    if (state !== 'present') return failed('deb only supports state=present');
    return installDeb(a, ctx);
  }
  const given = a.name ?? [];
  const names = given.filter((n) => n !== '*');
  if (state === 'latest' && given.includes('*')) {
    if (names.length) return failed('unable to install additional packages when upgrading all installed packages');
    return runUpgrade(a, ctx, 'yes');
  }
  const invalid = names.find((n) => (n.match(/=/g) ?? []).length > 1);
  if (invalid) return failed(`invalid package spec: ${invalid}`);
  if (names.length === 0) {
    if (a.autoclean) return cleanup(a, ctx, 'autoclean');
    if (a.autoremove) return cleanup(a, ctx, 'autoremove');
  }
  const specs = await expandPatterns(ctx, names);
  if ('error' in specs) return failed(specs.error);
  if (state === 'absent') return remove(a, ctx, specs.list);
  const r = await install(a, ctx, specs.list, state);
  // A name apt does not know ends Ansible's module at once, without the cache fields.
  if (r.failed && typeof r.msg === 'string' && r.msg.startsWith('No package matching')) return r;
  return { ...r, cache_updated: cache.updated, cache_update_time: cache.time };
}

/**
 * As Ansible's apt before it does anything: when no interpreter on the host imports Python's apt bindings,
 * check mode fails and a normal run installs python3-apt (hostkit's planAptBindingsInstall). Ansible's
 * module then runs again under that interpreter, whose result is the task's: the install is no change and
 * its warning is not shown (the first process's warnings are lost), unless the install fails.
 */
async function ensurePythonBindings(a: Args, ctx: ModuleContext): Promise<ModuleResult | undefined> {
  if ((await ctx.fact(aptPythonBindings, {})).interpreter) return undefined;
  const plan = planAptBindingsInstall({ check: ctx.check, updateCache: a.update_cache });
  if ('error' in plan) return failed(plan.error);
  ctx.progress(plan.warning);
  for (const argv of plan.commands) {
    const r = await sh(ctx, argv);
    if (r.code !== 0) return failed(r.stderr.trimEnd(), { cmd: argv.join(' '), rc: r.code, stdout: r.stdout, stderr: r.stderr, warnings: [plan.warning] });
  }
  if ((await ctx.fact(aptPythonBindings, {})).interpreter) return undefined;
  const interpreter = typeof ctx.vars.ansible_python_interpreter === 'string' ? ctx.vars.ansible_python_interpreter : '/usr/bin/python3';
  return failed(`python3-apt must be installed and visible from ${interpreter}.`, { warnings: [plan.warning] });
}

/** Name patterns (`hel?o`, `lib*-dev=1.*`) become the names apt knows that match (Ansible's expand_pkgspec_from_fnmatches). */
async function expandPatterns(ctx: ModuleContext, specs: string[]): Promise<{ list: string[] } | { error: string }> {
  if (!specs.some((s) => isAptPattern(splitAptSpec(s).name))) return { list: specs };
  const known = (await ctx.remote.run({ argv: ['apt-cache', 'pkgnames'] }, { env: APT_ENV })).stdout.split('\n').filter(Boolean);
  const list: string[] = [];
  for (const s of specs) {
    const spec = splitAptSpec(s);
    if (!isAptPattern(spec.name)) {
      list.push(s);
      continue;
    }
    const [pattern, arch] = spec.name.split(':');
    const matches = known.filter((n) => fnmatch(n, pattern));
    if (matches.length === 0) return { error: `No package(s) matching '${spec.name}' available` };
    list.push(...matches.map((m) => `${m}${arch ? `:${arch}` : ''}${spec.cmp ?? ''}${spec.version ?? ''}`));
  }
  return { list };
}

async function policy(ctx: ModuleContext, names: string[], release: string | undefined) {
  const r = await ctx.remote.run(
    { argv: ['apt-cache', ...(release ? ['-o', `APT::Default-Release=${release}`] : []), 'policy', '--', ...names] },
    { become: ctx.become, env: APT_ENV },
  );
  return parseAptPolicyTable(r.stdout);
}

async function install(a: Args, ctx: ModuleContext, specs: string[], state: string): Promise<ModuleResult> {
  const buildDep = state === 'build-dep';
  const table = buildDep || specs.length === 0 ? new Map() : await policy(ctx, [...new Set(specs.map((s) => splitAptSpec(s).name))], a.default_release);
  const targets: string[] = [];
  const names: string[] = [];
  for (const s of specs) {
    if (buildDep) {
      targets.push(s);
      continue;
    }
    const spec = splitAptSpec(s);
    names.push(spec.name);
    const plan = planAptSpec(spec, aptPolicyFor(table, spec.name), { upgrade: state === 'latest', onlyUpgrade: a.only_upgrade });
    if ('error' in plan) return failed(plan.error);
    if ('arg' in plan) targets.push(plan.arg);
  }
  let result: ModuleResult = { changed: false };
  if (targets.length) {
    const argv = [
      'apt-get',
      ...flags(a, ctx, { autoremove: a.autoremove && !buildDep, noRemove: a.fail_on_autoremove }),
      ...(a.only_upgrade ? ['--only-upgrade'] : []),
      ...(state === 'fixed' ? ['--fix-broken'] : []),
      buildDep ? 'build-dep' : 'install',
      ...targets,
      ...releaseAndAllow(a),
    ];
    if (!ctx.check) ctx.progress(`apt-get ${buildDep ? 'build-dep' : 'install'} ${targets.join(' ')}`);
    const r = await sh(ctx, argv, a.policy_rc_d);
    if (r.code !== 0) return failed(`'${shellJoin(argv)}' failed: ${r.stderr}`, { stdout: r.stdout, stderr: r.stderr, rc: r.code });
    result = { changed: buildDep ? !aptGetDidNothing(r.stdout) : true, stdout: r.stdout, stderr: r.stderr, ...diffOf(ctx, r.stdout) };
  }
  if (!buildDep && !ctx.check && names.length) {
    // As Ansible's apt after every install: the named packages are marked as installed by hand.
    const r = await ctx.remote.run({ argv: ['apt-mark', 'manual', ...names] }, { become: ctx.become, env: APT_ENV });
    if (r.code !== 0) return failed(`'apt-mark manual ${names.join(' ')}' failed: ${(r.stderr || r.stdout).trim()}`, { rc: r.code });
  }
  return result;
}

/** Installed (or, with purge, left with configuration files) packages among the specs; a versioned spec only when that version is installed. */
async function remove(a: Args, ctx: ModuleContext, specs: string[]): Promise<ModuleResult> {
  const status = new Map<string, { abbrev: string; version: string }>();
  if (specs.length) {
    const names = [...new Set(specs.map((s) => splitAptSpec(s).name))];
    const r = await ctx.remote.run(
      { script: `for n in ${names.map(shellQuote).join(' ')}; do printf '%s\\t' "$n"; dpkg-query -W -f='\${db:Status-Abbrev}\\t\${Version}\\n' -- "$n" 2>/dev/null | head -n 1 | grep . || echo; done` },
      { env: APT_ENV },
    );
    for (const line of r.stdout.split('\n')) {
      const [n, abbrev = '', version = ''] = line.split('\t');
      if (n) status.set(n, { abbrev: abbrev.trim(), version: version.trim() });
    }
  }
  const targets = specs.filter((s) => {
    const spec = splitAptSpec(s);
    const st = status.get(spec.name);
    if (!st) return false;
    const installed = /^.i/.test(st.abbrev);
    const versionOk = installed && (spec.cmp === '=' ? fnmatch(st.version, spec.version!) : true);
    return versionOk || (a.purge === true && /^.c/.test(st.abbrev));
  });
  if (targets.length === 0) return { changed: false };
  const argv = ['apt-get', '-q', ...flags(a, ctx, { autoremove: a.autoremove }).filter((f) => f !== '--no-remove'), ...(a.purge ? ['--purge'] : []), 'remove', ...targets];
  if (!ctx.check) ctx.progress(`apt-get remove ${targets.join(' ')}`);
  const r = await sh(ctx, argv, a.policy_rc_d);
  if (r.code !== 0) return failed(`'apt-get remove ${targets.join(' ')}' failed: ${r.stderr}`, { stdout: r.stdout, stderr: r.stderr, rc: r.code });
  return { changed: true, stdout: r.stdout, stderr: r.stderr, ...diffOf(ctx, r.stdout) };
}

async function cleanup(a: Args, ctx: ModuleContext, operation: 'autoremove' | 'autoclean'): Promise<ModuleResult> {
  const argv = ['apt-get', ...flags(a, ctx), ...(a.purge ? ['--purge'] : []), operation];
  const r = await sh(ctx, argv, a.policy_rc_d);
  if (r.code !== 0) return failed(`'apt-get ${operation}' failed: ${r.stderr}`, { stdout: r.stdout, stderr: r.stderr, rc: r.code });
  const changed = r.stdout.includes(operation === 'autoremove' ? 'The following packages will be REMOVED' : 'Del ');
  return { changed, stdout: r.stdout, stderr: r.stderr, ...diffOf(ctx, r.stdout) };
}

/** upgrade: dist and full are apt-get dist-upgrade, safe and yes apt-get upgrade --with-new-pkgs (Ansible's choice without aptitude). */
async function runUpgrade(a: Args, ctx: ModuleContext, mode: string): Promise<ModuleResult> {
  const command = mode === 'dist' || mode === 'full' ? ['dist-upgrade'] : ['upgrade', '--with-new-pkgs'];
  const argv = [
    'apt-get', ...flags(a, ctx, { noRemove: a.fail_on_autoremove }),
    ...(a.allow_unauthenticated ? ['--allow-unauthenticated'] : []), ...(a.allow_downgrade ? ['--allow-downgrades'] : []),
    ...command, ...(a.autoremove ? ['--auto-remove'] : []), ...(a.default_release ? ['-t', a.default_release] : []),
  ];
  if (!ctx.check) ctx.progress(`apt-get ${command.join(' ')}`);
  const r = await sh(ctx, argv, a.policy_rc_d);
  if (r.code !== 0) return failed(`'apt-get ${command.join(' ')}' failed: ${r.stderr}`, { stdout: r.stdout, rc: r.code });
  const changed = !aptGetDidNothing(r.stdout);
  return { changed, msg: r.stdout, stdout: r.stdout, stderr: r.stderr, ...(changed ? diffOf(ctx, r.stdout) : {}) };
}

/** A .deb on the host (or downloaded there from a URL): installed with its dependencies unless that version is installed already. */
async function installDeb(a: Args, ctx: ModuleContext): Promise<ModuleResult> {
  let path = a.deb!;
  let tmp: string | undefined;
  if (path.includes('://')) {
    const name = path.split('?')[0].split('/').pop() || 'package.deb';
    const r = await ctx.remote.run(
      { script: `d=$(mktemp -d) && curl -sS -L --fail -o "$d"/${shellQuote(name)} -- ${shellQuote(path)} && echo "$d" || { rm -rf "$d"; exit 22; }` },
      { become: ctx.become, timeoutMs: 600_000 },
    );
    if (r.code !== 0) return failed(`Failure downloading ${path}, ${r.stderr.trim()}`);
    tmp = r.stdout.trim();
    path = `${tmp}/${name}`;
  }
  try {
    const fields = await ctx.remote.run(
      { script: `dpkg-deb -f ${shellQuote(path)} Package Version Architecture && printf 'foreign: ' && dpkg --print-foreign-architectures | tr '\\n' ' '` },
      { become: ctx.become, env: APT_ENV },
    );
    const field = (k: string) => new RegExp(`^${k}: *(.*)$`, 'm').exec(fields.stdout)?.[1]?.trim() ?? '';
    const pkg = field('Package');
    if (fields.code !== 0 || !pkg) return failed(`Unable to install package: ${(fields.stderr || `${path} is not a readable .deb file`).trim()}`);
    const key = field('foreign') ? `${pkg}:${field('Architecture')}` : pkg;
    const inst = await ctx.remote.run({ script: `dpkg-query -W -f='\${db:Status-Abbrev}\\t\${Version}' -- ${shellQuote(key)} 2>/dev/null` }, { env: APT_ENV });
    const [abbrev = '', version = ''] = inst.stdout.split('\t');
    if (/^.i/.test(abbrev) && version.trim() === field('Version')) return { changed: false, stdout: '', stderr: '', ansibleDiff: '' };
    const argv = ['apt-get', ...flags(a, ctx, { noRemove: a.fail_on_autoremove }), 'install', path, ...releaseAndAllow({ ...a, default_release: undefined })];
    if (!ctx.check) ctx.progress(`apt-get install ${path}`);
    const r = await sh(ctx, argv, a.policy_rc_d);
    if (r.code !== 0) return failed(`${shellJoin(argv)} failed`, { stdout: r.stdout, stderr: r.stderr, rc: r.code });
    return { changed: true, stdout: r.stdout, stderr: r.stderr, ...diffOf(ctx, r.stdout) };
  } finally {
    if (tmp) await ctx.remote.run({ argv: ['rm', '-rf', '--', tmp] }, { become: ctx.become });
  }
}

/**
 * `apt-get update` when the cache is older than `validFor` seconds; "updated" as Ansible reports it:
 * the cache time moved (or, in check mode, would be refreshed). A failed update is tried again up to
 * `retries` times in all, as Ansible's apt: after each failure it waits 2^try s (at most `maxDelay`) plus
 * up to 1 s, then fails with the last error.
 */
async function updateAptCache(ctx: ModuleContext, validFor: number, retry: { retries: number; maxDelay: number }): Promise<{ updated: boolean; time: number } | { error: string }> {
  const before = await ctx.fact(aptCacheTime, {});
  if (!aptCacheStale(before, validFor)) return { updated: false, time: before.updated };
  if (ctx.check) return { updated: true, time: before.updated };
  let error = '';
  let ok = false;
  const jitter = Math.floor(Math.random() * 1000) / 1000;
  for (let i = 0; i < retry.retries && !ok; i++) {
    ctx.progress('apt-get update');
    const res = await ctx.remote.run({ argv: ['apt-get', 'update', '-q'] }, { become: ctx.become, env: APT_ENV, timeoutMs: 600_000 });
    // apt-get update exits 0 with "W: Failed to fetch" for some sources; Ansible's cache.update() fails on those.
    const fetchFailed = /^(E|W): Failed to fetch/m.test(res.stderr);
    ok = res.code === 0 && !fetchFailed;
    if (ok) break;
    error = (res.stderr || res.stdout).trim();
    await new Promise((resolve) => setTimeout(resolve, aptRetryDelay(i, retry.maxDelay, jitter) * 1000));
  }
  if (!ok) return { error: error || 'unknown reason' };
  const after = await ctx.fact(aptCacheTime, {});
  return { updated: after.updated !== before.updated, time: after.updated };
}
