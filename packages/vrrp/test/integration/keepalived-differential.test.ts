import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/index.js';
import { configTest } from '../../src/daemon/config-test.js';
// @ts-expect-error -- plain JavaScript shared with scripts/keepalived-corpus.mjs, no type declarations
import * as kd from '../differential/keepalived-diff.mjs';

/**
 * vrrpd's reading of keepalived.conf against keepalived 2.2.7's own, on configurations written for this
 * test (test/fixtures/keepalived-diff). Each file says what is expected in its first lines:
 * - `same`: both accept it cleanly and read every compared field the same;
 * - `corrected: RE`: keepalived reports and corrects it (its -t fails), vrrpd makes the same correction
 *   with a warning matching RE, and both end with the same reading;
 * - `refused: RE`: keepalived reports it (its -t fails), vrrpd refuses it with an error matching RE;
 * - `refused-deliberately: RE`: keepalived accepts it, vrrpd refuses it on purpose (docs say why);
 * - `warned: RE`: a keyword vrrpd does not implement, named in a warning matching RE; the rest is read the same.
 * A difference no diagnostic names (a silent difference) fails the test, whatever the expectation.
 * keepalived runs in a scratch network namespace of its own, with its own pid files, and is stopped by pid.
 */
const dir = fileURLToPath(new URL('../fixtures/keepalived-diff/', import.meta.url));
const ns = `${process.env.HAWEB_LAB_NAME ?? 'haweb'}-kdiff`;
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.conf')).sort();

interface Expectation {
  kind: 'same' | 'corrected' | 'refused' | 'refused-deliberately' | 'warned';
  pattern?: RegExp;
  configId?: string;
  /** `! differs: a, b`: fields a warned keyword changes in keepalived's reading (named by the warning). */
  differs: string[];
  /** `! keepalived-t: killed`: keepalived 2.2.7's -t terminates itself on this file (no verdict to compare). */
  noVerdict: boolean;
}

function expectationOf(text: string): Expectation {
  const head = text.replace(/^\ufeff/, '').split('\n').slice(0, 4).map((l) => l.replace(/\r$/, ''));
  const m = /^! expect: ([a-z-]+)(?:: (.*))?$/.exec(head[0]);
  if (!m) throw new Error(`first line must be '! expect: KIND[: RE]', not ${JSON.stringify(head[0])}`);
  const id = head.map((l) => /^! config-id: (\S+)$/.exec(l)?.[1]).find(Boolean);
  const differs = head.map((l) => /^! differs: (.*)$/.exec(l)?.[1]).find(Boolean)?.split(/,\s*/) ?? [];
  const noVerdict = head.includes('! keepalived-t: killed');
  return { kind: m[1] as Expectation['kind'], pattern: m[2] ? new RegExp(m[2]) : undefined, configId: id, differs, noVerdict };
}

describe('vrrpd reads keepalived.conf as keepalived 2.2.7 does', () => {
  beforeAll(() => {
    const interfaces = fixtures.flatMap((f) => kd.interfacesOf(readFileSync(join(dir, f), 'utf8')) as string[]);
    kd.createNamespace(ns, interfaces);
  });
  afterAll(() => kd.deleteNamespace(ns));

  it.each(fixtures)('%s', async (name) => {
    const file = join(dir, name);
    const expected = expectationOf(readFileSync(file, 'utf8'));
    const options = { configId: expected.configId };
    const keepalived = kd.keepalivedCheck(ns, file, expected.configId) as { rc: number; messages: string[] };
    const report = configTest([file], undefined, options);
    const loaded = loadConfig(file, undefined, options);
    const diagnostics = loaded.diagnostics.map((d) => `${d.severity}: ${d.message}`);
    const errors = diagnostics.filter((d) => d.startsWith('error: '));
    const warnings = diagnostics.filter((d) => d.startsWith('warning: '));
    const context = JSON.stringify({ keepalived, vrrpd: report.lines }, null, 1);

    // Never silent: whatever keepalived reports, vrrpd reports something too.
    if (keepalived.rc !== 0 && !expected.noVerdict) expect(diagnostics.length, `keepalived -t failed but vrrpd said nothing\n${context}`).toBeGreaterThan(0);

    switch (expected.kind) {
      case 'same':
        if (expected.noVerdict) expect([143, -1], `keepalived -t was expected to terminate itself\n${context}`).toContain(keepalived.rc);
        else expect(keepalived.rc, context).toBe(0);
        expect(diagnostics, context).toEqual([]);
        break;
      case 'corrected':
        expect(keepalived.rc, `keepalived reports this one\n${context}`).not.toBe(0);
        expect(errors, context).toEqual([]);
        expect(warnings.some((w) => expected.pattern!.test(w)), context).toBe(true);
        break;
      case 'warned':
        expect(errors, context).toEqual([]);
        expect(warnings.some((w) => expected.pattern!.test(w)), context).toBe(true);
        break;
      case 'refused':
        expect(keepalived.rc, `keepalived must report this one too\n${context}`).not.toBe(0);
        expect(errors.some((e) => expected.pattern!.test(e)), context).toBe(true);
        return;
      case 'refused-deliberately':
        expect(keepalived.rc, `a deliberate departure is one keepalived -t passes\n${context}`).toBe(0);
        expect(errors.some((e) => expected.pattern!.test(e)), context).toBe(true);
        return;
    }
    // Accepted by vrrpd: the reading must match keepalived's dump field by field.
    const dump = kd.parseKeepalivedDump(await kd.keepalivedDump(ns, file, expected.configId));
    expect(dump.instances.length, `keepalived dumped no instance\n${context}`).toBeGreaterThan(0);
    const differences = (kd.compareModels(dump, kd.vrrpdModel(loaded.config!)) as string[]).filter((d) => !expected.differs.some((field) => d.includes(`.${field}:`)));
    expect(differences, context).toEqual([]);
  });
});
