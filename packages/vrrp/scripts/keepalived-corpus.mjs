#!/usr/bin/env node
/**
 * Runs a corpus of public keepalived.conf files through keepalived 2.2.7 and vrrpd and prints the
 * figures recorded in docs/compatibility/keepalived-conf.md. Local only (root, keepalived installed,
 * `npm run build` done): `node packages/vrrp/scripts/keepalived-corpus.mjs [--mirrors DIR] [--json]`.
 *
 * The corpus is test/differential/corpus.json: repository, commit and path of each file, never its
 * text. Each file is read with `git show COMMIT:PATH` from a local mirror of its repository
 * (DIR/OWNER+NAME/repo, as the team's search tool lays them out; default /work/.mirror).
 * Per file: keepalived -t's verdict, vrrpd -t's, and, when vrrpd accepts it, keepalived's -d dump
 * against vrrpd's reading field by field (instances, priorities, VIPs, timers, scripts and their argv
 * and users, tracking weights, notify scripts, GARP). keepalived runs in a scratch network namespace
 * with its own pid files and is stopped right after its dump.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as kd from '../test/differential/keepalived-diff.mjs';
import { loadConfig } from '../dist/config/index.js';
import { scriptChecks } from '../dist/daemon/config-test.js';

const arg = (name, fallback) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : fallback; };
const mirrors = arg('mirrors', '/work/.mirror');
const asJson = process.argv.includes('--json');
const corpus = JSON.parse(readFileSync(fileURLToPath(new URL('../test/differential/corpus.json', import.meta.url)), 'utf8'));
const scratch = mkdtempSync(join(tmpdir(), 'kcorpus-'));
const ns = `${process.env.HAWEB_LAB_NAME ?? 'haweb'}-kcorpus`;
const rows = [];

function gitDir(repo) {
  const base = join(mirrors, repo.replace('/', '+'), 'repo');
  return existsSync(join(base, '.git')) ? join(base, '.git') : base;
}

try {
  for (const [index, entry] of corpus.entries()) {
    const file = join(scratch, `${String(index).padStart(2, '0')}-keepalived.conf`);
    let text;
    try {
      text = execFileSync('git', ['-C', gitDir(entry.repo), 'show', `${entry.commit}:${entry.path}`]);
    } catch {
      rows.push({ ...entry, outcome: 'missing', detail: `no mirror of ${entry.repo} at ${entry.commit}` });
      continue;
    }
    writeFileSync(file, text);
    kd.createNamespace(ns, kd.interfacesOf(text.toString('utf8')));
    try {
      const keepalived = kd.keepalivedCheck(ns, file);
      const loaded = loadConfig(file);
      // Everything `vrrpd -t` says: the reader's diagnostics and its checks of the scripts on this host.
      const diagnostics = [...loaded.diagnostics, ...(loaded.config ? scriptChecks(loaded.config) : [])];
      const errors = diagnostics.filter((d) => d.severity === 'error');
      const warnings = diagnostics.filter((d) => d.severity === 'warning');
      const row = { ...entry, keepalivedRc: keepalived.rc, keepalivedMessages: keepalived.messages.length, vrrpdErrors: errors.length, vrrpdWarnings: warnings.length };
      if (errors.length > 0) {
        rows.push({ ...row, outcome: 'refused', detail: `${errors[0].line}:${errors[0].col}: ${errors[0].message}` });
        continue;
      }
      const dumpLines = await kd.keepalivedDump(ns, file);
      const dump = kd.parseKeepalivedDump(dumpLines);
      if (dump.instances.length === 0) {
        // keepalived stopped before dumping (e.g. no IPVS in this kernel for an LVS block): nothing to compare.
        rows.push({ ...row, outcome: 'no-keepalived-dump', detail: dumpLines.filter(Boolean).slice(-3).join(' | ') });
        continue;
      }
      const differences = kd.compareModels(dump, kd.vrrpdModel(loaded.config));
      const silent = (differences.length > 0 && warnings.length === 0) || (keepalived.rc !== 0 && keepalived.rc !== 143 && diagnostics.length === 0);
      rows.push({ ...row, outcome: differences.length === 0 ? 'same' : silent ? 'differs-silently' : 'differs-with-warning', detail: differences.join('; ') });
    } finally {
      kd.deleteNamespace(ns);
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const count = (p) => rows.filter(p).length;
const summary = {
  files: rows.length,
  keepalivedTestPasses: count((r) => r.keepalivedRc === 0),
  vrrpdAccepts: count((r) => r.vrrpdErrors === 0),
  readTheSame: count((r) => r.outcome === 'same'),
  refused: count((r) => r.outcome === 'refused'),
  differsWithWarning: count((r) => r.outcome === 'differs-with-warning'),
  differsSilently: count((r) => r.outcome === 'differs-silently'),
  noKeepalivedDump: count((r) => r.outcome === 'no-keepalived-dump'),
  missing: count((r) => r.outcome === 'missing'),
};
if (asJson) console.log(JSON.stringify({ date: new Date().toISOString(), summary, rows }, null, 1));
else {
  for (const r of rows) console.log(`${r.outcome.padEnd(21)} kd-t=${String(r.keepalivedRc).padEnd(3)} vrrpd ${r.vrrpdErrors ?? '-'}E/${r.vrrpdWarnings ?? '-'}W  ${r.repo}:${r.path}${r.detail ? `\n${' '.repeat(22)}${r.detail.slice(0, 300)}` : ''}`);
  console.log(JSON.stringify(summary));
}
process.exit(summary.differsSilently === 0 ? 0 : 1);
