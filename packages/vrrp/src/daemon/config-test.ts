import { basename } from 'node:path';
import { checkCluster, formatDiagnostic, loadConfig, type ConfigSource, type Diagnostic, type LoadOptions, type NodeConfig } from '../config/index.js';
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
    count(r.diagnostics);
    const e = r.diagnostics.filter((d) => d.severity === 'error').length;
    const w = r.diagnostics.length - e;
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
