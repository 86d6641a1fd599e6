import { shellQuote } from '@haweb/core';
import { defaultsFilePath, dropInPath, enableScript, renderInitScript, renderSourceUnitDropIn, type InitSystem, type OsFamily } from '@haweb/hostkit';

/**
 * What turns a source-built keepalived into a system service (the seed's section 5.3, done for
 * both families): an init script (ours: the 2.2.7 tarball's keepalived/etc/init.d/keepalived is a
 * Red Hat script that sources /etc/rc.d/init.d/functions and /etc/sysconfig, with no LSB header, so
 * it cannot run on Debian; the same template serves RHEL too, so both families behave alike), the options file in
 * /etc/sysconfig or /etc/default, the /usr/sbin/keepalived link, /etc/keepalived, and boot enable.
 */
export interface KeepalivedServiceLayout {
  prefix: string;
  configFile: string;
  pidFile: string;
  options: string;
}

export interface PlannedFile {
  path: string;
  content: string;
  mode: string;
}

export function keepalivedServiceFiles(family: OsFamily, layout: KeepalivedServiceLayout, init: InitSystem = 'sysvinit'): PlannedFile[] {
  if (init === 'systemd') return keepalivedUnitFiles(family, layout);
  const p = layout.prefix.replace(/\/$/, '');
  const defaults = defaultsFilePath(family, 'keepalived');
  const script = renderInitScript({
    name: 'keepalived',
    shortDescription: 'keepalived VRRP daemon (built from source)',
    description: 'keepalived moves virtual IP addresses between nodes with VRRP.',
    daemon: `${p}/sbin/keepalived`,
    args: `-f ${shellQuote(layout.configFile)} -p ${shellQuote(layout.pidFile)}`,
    pidFile: layout.pidFile,
    configFile: layout.configFile,
    configTest: `"$DAEMON" -t -f "$CONFIG"`,
    defaultsFile: defaults,
    optionsVar: 'KEEPALIVED_OPTIONS',
    processMatch: 'keepalived',
    stopTimeoutSeconds: 10,
    startPriority: 86,
    stopPriority: 14,
  });
  return [
    { path: '/etc/init.d/keepalived', content: script, mode: '0755' },
    {
      path: defaults,
      content: `# Managed by haweb: options for keepalived (read by /etc/init.d/keepalived).\n# -D: log details of every state change.\nKEEPALIVED_OPTIONS=${shellQuote(layout.options)}\n`,
      mode: '0644',
    },
  ];
}

/**
 * Under systemd, keepalived runs from the unit its own source tree installs (keepalived.service.in:
 * `ExecStart=@sbindir@/keepalived @SYSTEMD_EXEC_START_OPTIONS@ $KEEPALIVED_OPTIONS`, reading
 * `EnvironmentFile=-@sysconfdir@/sysconfig/keepalived`). The options file therefore carries the config
 * and pid file too, and a drop-in points the unit at it and at the pid file, so keepalived runs with
 * exactly the options the playbook declares. No init script: one service manager.
 */
export function keepalivedUnitFiles(family: OsFamily, layout: KeepalivedServiceLayout): PlannedFile[] {
  const defaults = defaultsFilePath(family, 'keepalived');
  const options = `-f ${layout.configFile} -p ${layout.pidFile}${layout.options ? ` ${layout.options}` : ''}`;
  return [
    {
      path: defaults,
      content: `# Managed by haweb: options for keepalived (read by keepalived.service through ${dropInPath('keepalived')}).\n# -D: log details of every state change.\nKEEPALIVED_OPTIONS=${shellQuote(options)}\n`,
      mode: '0644',
    },
    { path: dropInPath('keepalived'), content: renderSourceUnitDropIn({ name: 'keepalived', environmentFile: defaults, pidFile: layout.pidFile, after: ['rc-local.service'] }), mode: '0644' },
  ];
}

/** The seed's links: keepalived reachable as /usr/sbin/keepalived. */
export function keepalivedLinks(prefix: string): { link: string; target: string }[] {
  return [{ link: '/usr/sbin/keepalived', target: `${prefix.replace(/\/$/, '')}/sbin/keepalived` }];
}

export function linkScript(link: string, target: string): string {
  const l = shellQuote(link);
  // Never replace a real file (e.g. a distro package's binary): only absent paths or symlinks.
  return `if [ -e ${l} ] && [ ! -L ${l} ]; then echo "${link} exists and is not a link: remove the distro package first" >&2; exit 1; fi; ln -sfn ${shellQuote(target)} ${l}`;
}

export function enableScriptFor(family: OsFamily): string {
  return enableScript(family, 'keepalived');
}
