import { z } from 'zod';
import { defineModule, shellQuote, type ModuleContext, type ModuleResult } from '@haweb/core';
import {
  applySteps,
  SERVICE_PROFILE_COMMAND,
  enabledCheckScript,
  ensureManagedFile,
  ensureSourceBuild,
  parseHostProfile,
  planRestoreLabels,
  resolveOsFamily,
  runDir,
  sha256,
  sourceBuildSpec,
  withBuildTools,
  type HostProfile,
  type OsFamily,
} from '@haweb/hostkit';
import { KEEPALIVED_BUILD_DEPS, keepalivedProduct } from '../keepalived-version.js';
import { enableScriptFor, keepalivedLinks, keepalivedServiceFiles, linkScript } from '../service-files.js';

/**
 * keepalived built from the upstream tarball and installed as a boot-time service (the seed's
 * section 5, steps 1-3):
 *
 *   - keepalived_source:
 *       src: /var/cache/haweb/sources/keepalived_2.2.7.orig.tar.gz
 *
 * Idempotent by the installed binary's `keepalived -v` (version + configure options) and the
 * marker of a finished build; then the init script, options file, link, /etc/keepalived and the
 * boot links are each checked and fixed only when they differ.
 */
export const keepalivedSourceArgs = z.strictObject({
  src: z.string().min(1),
  version: z.string().min(1).optional(),
  prefix: z.string().startsWith('/').default('/usr/local/keepalived'),
  configure_args: z.array(z.string()).default([]),
  make_jobs: z.number().int().positive().optional(),
  build_deps: z.array(z.string()).optional(),
  src_dir: z.string().startsWith('/').default('/usr/local/src'),
  config_file: z.string().startsWith('/').default('/etc/keepalived/keepalived.conf'),
  pid_file: z.string().startsWith('/').optional().describe('default: /run/keepalived.pid, /var/run/keepalived.pid where /run does not exist'),
  options: z.string().default('-D'),
  enabled: z.boolean().default(true),
  os_family: z.enum(['RedHat', 'Debian']).optional(),
});

export type KeepalivedSourceArgs = z.output<typeof keepalivedSourceArgs>;

export const keepalivedSource = defineModule({
  name: 'keepalived_source',
  aliases: ['haweb.keepalived.source'],
  description: 'Build keepalived from a source tarball and install it as an init.d service enabled at boot.',
  args: keepalivedSourceArgs,
  checkMode: 'full',
  localFiles: (args) => (typeof args.src === 'string' && !args.src.includes('{{') ? [{ path: args.src, kind: 'files' as const }] : []),
  async run(args, ctx) {
    const family = resolveOsFamily(args.os_family, ctx.facts, ctx.hostName);
    const spec = sourceBuildSpec(keepalivedProduct, args, ctx, family, {
      RedHat: withBuildTools(KEEPALIVED_BUILD_DEPS.RedHat),
      Debian: withBuildTools(KEEPALIVED_BUILD_DEPS.Debian),
    });
    const build = await ensureSourceBuild(spec, ctx);
    if (build.failed) return build;
    const service = await ensureKeepalivedService(args, family, ctx);
    const changed = build.changed || service.changes.length > 0;
    const msgs = [build.changed ? String(build.msg) : undefined, ...service.changes].filter(Boolean);
    if (service.failed) return { ...build, changed, failed: true, msg: [...msgs, service.failed].join('; ') };
    return { ...build, changed, msg: changed ? msgs.join('; ') : `${build.msg}; service files, link and boot links in place` };
  },
});

/** Where keepalived's make install puts its unit under the prefix (configure finds no systemd.pc to name the system dir). */
function builtUnitPath(prefix: string): string {
  return `${prefix.replace(/\/$/, '')}/lib/systemd/system/keepalived.service`;
}

/**
 * The unit is copied here, not linked with `systemctl link`: `systemctl disable` (the playbook does it
 * when it switches the pair to vrrpd) removes a linked unit altogether, and the next run would find
 * no keepalived.service to stop.
 */
const SYSTEM_UNIT = '/etc/systemd/system/keepalived.service';

/**
 * One round trip: checksum and mode of each service file, the link, /etc/keepalived, the boot link,
 * whether systemd knows keepalived.service (the unit `make install` put in place), and the host profile.
 */
export function serviceProbeScript(family: OsFamily, files: string[], links: { link: string }[], configDir: string, prefix = '/usr/local/keepalived'): string {
  const built = shellQuote(builtUnitPath(prefix));
  // The unit is in place when it is a copy of the one make install built (a file, not a link), or,
  // without a built one, when systemd knows keepalived.service from elsewhere.
  const unitInPlace = `if [ -f ${built} ]; then [ -f ${SYSTEM_UNIT} ] && [ ! -L ${SYSTEM_UNIT} ] && cmp -s ${built} ${SYSTEM_UNIT}; else systemctl cat keepalived.service >/dev/null 2>&1; fi`;
  return [
    ...files.map((f) => `echo "file ${f} $(sha256sum ${shellQuote(f)} 2>/dev/null | cut -d' ' -f1) $(stat -c %a ${shellQuote(f)} 2>/dev/null)"`),
    `{ [ -d /run/systemd/system ] && { ${unitInPlace}; } && echo unit; true; }`,
    `echo @@profile; { ${SERVICE_PROFILE_COMMAND}; }; echo @@end`,
    ...links.map(({ link }) => `echo "link $(readlink ${shellQuote(link)} 2>/dev/null)"`),
    `test -d ${shellQuote(configDir)} && echo confdir`,
    `${enabledCheckScript(family, 'keepalived')} && echo enabled`,
    'true',
  ].join('; ');
}

/** The probe's profile section (undefined when the probe could not tell: sysvinit behaviour). */
function profileFrom(lines: string[]): HostProfile | undefined {
  const at = lines.indexOf('@@profile');
  const end = lines.indexOf('@@end');
  if (at < 0 || end < at) return undefined;
  try {
    return parseHostProfile(lines.slice(at + 1, end).join('\n'));
  } catch {
    return undefined;
  }
}

async function ensureKeepalivedService(
  args: KeepalivedSourceArgs,
  family: OsFamily,
  ctx: ModuleContext,
): Promise<{ changes: string[]; failed?: string }> {
  const changes: string[] = [];
  const links = keepalivedLinks(args.prefix);
  const configDir = args.config_file.replace(/\/[^/]+$/, '') || '/';
  const layoutFor = (profile: Pick<HostProfile, 'hasRun'>) => ({
    prefix: args.prefix,
    configFile: args.config_file,
    pidFile: args.pid_file ?? `${runDir(profile)}/keepalived.pid`,
    options: args.options,
  });
  // Both layouts' files are probed, so the host's init (read by the same probe) picks without a second round trip.
  const candidates = [...new Set([...keepalivedServiceFiles(family, layoutFor({ hasRun: true })), ...keepalivedServiceFiles(family, layoutFor({ hasRun: true }), 'systemd')].map((f) => f.path))];
  const probe = await ctx.remote.run({ script: serviceProbeScript(family, candidates, links, configDir, args.prefix) }, { become: ctx.become });
  const lines = probe.stdout.split('\n').map((l) => l.trimEnd());
  const profile = profileFrom(lines);
  const init = profile?.init ?? 'sysvinit';
  const files = keepalivedServiceFiles(family, layoutFor(profile ?? { hasRun: true }), init);
  const written: string[] = [];
  for (const file of files) {
    const line = lines.find((l) => l.startsWith(`file ${file.path} `));
    const [, , sum, mode] = (line ?? '').split(' ');
    const wanted = sha256(file.content);
    if (sum === wanted && mode === file.mode.replace(/^0/, '')) continue;
    const res: ModuleResult = await ensureManagedFile(file, ctx);
    if (res.failed) return { changes, failed: String(res.msg) };
    if (res.changed) {
      changes.push(String(res.msg));
      written.push(file.path);
    }
  }
  const linkState = lines.filter((l) => l.startsWith('link ')).map((l) => l.slice(5).trim());
  const todo: string[] = [];
  links.forEach(({ link, target }, i) => {
    if (linkState[i] !== target) {
      todo.push(linkScript(link, target));
      changes.push(`linked ${link} → ${target}`);
    }
  });
  if (!lines.includes('confdir')) {
    todo.push(`mkdir -p ${shellQuote(configDir)} && chmod 0755 ${shellQuote(configDir)}`);
    changes.push(`created ${configDir}`);
  }
  if (init === 'systemd') {
    const prefix = args.prefix.replace(/\/$/, '');
    if (!lines.includes('unit')) {
      // make install put the unit under the prefix (no systemd.pc to name the system unit dir): copy it in.
      const unit = builtUnitPath(prefix);
      todo.push(`if [ -f ${shellQuote(unit)} ]; then rm -f ${SYSTEM_UNIT} && install -m 0644 ${shellQuote(unit)} ${SYSTEM_UNIT}; else echo "keepalived.service was not installed by make install (configure did not detect systemd)" >&2; exit 1; fi`);
      changes.push(`copied ${unit} to ${SYSTEM_UNIT}`);
    }
    if (written.length > 0 || !lines.includes('unit')) {
      todo.push('systemctl daemon-reload');
      changes.push('systemd re-read the units');
    }
  }
  if (args.enabled && !lines.includes('enabled')) {
    todo.push(init === 'systemd' ? 'systemctl enable keepalived.service' : enableScriptFor(family));
    changes.push(`enabled keepalived at boot (${init === 'systemd' ? 'systemctl' : family === 'RedHat' ? 'chkconfig' : 'update-rc.d'})`);
  }
  if (profile && profile.selinux !== 'disabled' && (written.length > 0 || todo.length > 0)) {
    const unitFiles = init === 'systemd' && !lines.includes('unit') ? [SYSTEM_UNIT] : [];
    const labels = planRestoreLabels(profile, { files: [...files.map((f) => f.path), ...unitFiles, ...links.map((l) => l.link)], trees: [args.prefix.replace(/\/$/, '')] });
    for (const step of labels) if (step.kind === 'run') todo.push(step.argv.map(shellQuote).join(' '));
    if (labels.length > 0) changes.push('restored SELinux labels');
  }
  if (todo.length === 0) return { changes: ctx.check ? changes.map((c) => `would: ${c}`) : changes };
  const res = await applySteps(ctx, [{ kind: 'script', script: `{ ${todo.join(' && ')}; } 2>&1`, why: 'install keepalived as a service' }], {
    timeoutMs: 60_000,
    failure: (f) => `installing keepalived as a service: ${(f.result.stdout + f.result.stderr).trim()}`,
  });
  if (res.failed) return { changes, failed: String(res.msg) };
  return { changes: ctx.check ? changes.map((c) => `would: ${c}`) : changes };
}
