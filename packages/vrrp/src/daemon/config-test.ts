import { accessSync, constants } from 'node:fs';
import { basename, join } from 'node:path';
import { checkCluster, formatDiagnostic, loadConfig, type ConfigSource, type Diagnostic, type LoadOptions, type NodeConfig, type SourceLocation, type VrrpConfig } from '../config/index.js';
import { fileSystemSource } from '../config/tree.js';

export interface ConfigTestReport {
  /** Lines to print, diagnostics first, then one summary line per file (and the cluster check). */
  lines: string[];
  errors: number;
  warnings: number;
}

/**
 * `vrrpd -t [more files]`: parse and validate each file; with several, also check them against each
 * other as the nodes of one cluster (named by router_id, else by file name).
 */
export function configTest(files: readonly string[], source: ConfigSource = fileSystemSource, options: LoadOptions = {}): ConfigTestReport {
  const lines: string[] = [];
  let errors = 0;
  let warnings = 0;
  const count = (ds: readonly Diagnostic[]) => {
    for (const d of ds) {
      lines.push(formatDiagnostic(d));
      if (d.severity === 'error') errors++;
      else warnings++;
    }
  };
  const nodes: NodeConfig[] = [];
  for (const file of files) {
    const r = loadConfig(file, source, options);
    // Script checks look at this host's file system, so only -t makes them (a real file system only).
    const diagnostics = [...r.diagnostics, ...(r.config && source === fileSystemSource ? scriptChecks(r.config) : [])];
    count(diagnostics);
    const e = diagnostics.filter((d) => d.severity === 'error').length;
    const w = diagnostics.length - e;
    if (r.config?.ignoredKeywords) lines.push(`${file}: keepalived keywords with no effect on a VRRP speaker, ignored: ${r.config.ignoredKeywords.join(', ')}`);
    lines.push(`${file}: ${e === 0 ? 'OK' : 'FAILED'} (${e} error${e === 1 ? '' : 's'}, ${w} warning${w === 1 ? '' : 's'})`);
    if (r.config) nodes.push({ node: r.config.globals.routerId ?? basename(file), config: r.config });
  }
  if (files.length > 1) {
    const cluster = checkCluster(nodes);
    count(cluster);
    const e = cluster.filter((d) => d.severity === 'error').length;
    lines.push(`cross-node check of ${nodes.map((n) => n.node).join(', ')}: ${e === 0 ? 'OK' : 'FAILED'} (${e} error${e === 1 ? '' : 's'}, ${cluster.length - e} warning${cluster.length - e === 1 ? '' : 's'})`);
  }
  return { lines, errors, warnings };
}

/** The program a script runs, as exec would find it (PATH for a bare name), or undefined. */
function findProgram(name: string): string | undefined {
  const candidates = name.includes('/') ? [name] : (process.env.PATH ?? '/usr/bin:/bin').split(':').map((d) => join(d, name));
  for (const c of candidates) {
    try { accessSync(c, constants.X_OK); return c; } catch { /* next */ }
  }
  return undefined;
}

/**
 * What keepalived checks about scripts on the host it reads the file on: a script whose program is
 * missing is disabled (with its tracking: no weight is ever applied), and scripts that exist but run as
 * root without enable_script_security are a "SECURITY VIOLATION" of its -t. vrrpd runs a missing script
 * and counts it as failing, so -t says so. Only for -t: the daemon's reading does not look at the host.
 */
export function scriptChecks(config: VrrpConfig): Diagnostic[] {
  const out: Diagnostic[] = [];
  const tracked = new Set(config.instances.flatMap((i) => i.trackScripts.map((t) => t.name)));
  const programs: Array<{ argv: string[]; at: SourceLocation; what: string }> = [
    ...config.scripts.filter((s) => tracked.has(s.name)).map((s) => ({ argv: s.argv, at: s.at, what: `vrrp_script ${s.name}` })),
    ...config.instances.flatMap((i) => Object.entries(i.notify).filter(([k]) => k !== 'users').map(([k, argv]) => ({ argv: argv as string[], at: i.at, what: `(${i.name}) notify ${k}` }))),
  ];
  let existing: { at: SourceLocation } | undefined;
  for (const p of programs) {
    if (!p.argv[0]) continue;
    if (findProgram(p.argv[0])) existing ??= p;
    else out.push({ ...p.at, severity: 'warning', message: `${p.what}: ${p.argv[0]} is not an executable here; keepalived disables such a script (and, for a vrrp_script, its tracking weight), vrrpd runs it and counts it as failing` });
  }
  if (existing && !config.globals.enableScriptSecurity) {
    out.push({ ...existing.at, severity: 'warning', message: 'scripts run as root without enable_script_security in global_defs (keepalived -t reports a SECURITY VIOLATION and runs them anyway)' });
  }
  return out;
}
