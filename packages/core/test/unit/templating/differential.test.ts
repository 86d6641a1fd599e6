/**
 * The templating engine against Ansible 2.14's Templar, on the corpus in test/unit/templating/differential/cases.yml: every
 * case is rendered by both (templar.py runs the real Templar); any difference not listed in
 * known-differences.yml with its reason fails, and so does a listed difference that no longer occurs.
 * Needs python3 with Ansible (scripts/setup.sh installs it): without it the test fails, it never skips.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseYaml, rootOf, toJS } from '../../../src/playbook/yaml-source.js';
import { evaluateConditional, render, renderTemplate } from '../../../src/templating/engine.js';
import { floatRepr, isTuple, PyFloat } from '../../../src/templating/pytypes.js';
// @ts-expect-error plain JavaScript shared with scripts/compat/templating-external.mjs
import { compare, figures, referenceResults } from './differential/harness.mjs';

interface Case {
  id: string;
  mode?: string;
  template: unknown;
  vars?: Record<string, unknown>;
  files?: Record<string, string>;
}
interface Row {
  id: string;
  agree: boolean;
  kind: string;
  ours: unknown;
  ref: unknown;
}

const CASES = fileURLToPath(new URL('./differential/cases.yml', import.meta.url));
const KNOWN = fileURLToPath(new URL('./differential/known-differences.yml', import.meta.url));

/** The corpus read the way the project reads a vars file (YAML 1.1 as Ansible users write it). */
function loadCases(): Case[] {
  const src = parseYaml(CASES, readFileSync(CASES, 'utf8'));
  return toJS(src, rootOf(src)) as Case[];
}

describe('templating: differential test against Ansible 2.14', () => {
  const cases = loadCases();
  const known = (parse(readFileSync(KNOWN, 'utf8')) ?? {}) as Record<string, string>;
  const engine = { render, renderTemplate, evaluateConditional, floatRepr, isTuple, PyFloat };
  const reference = referenceResults(CASES);
  const rows: Row[] = compare(engine, cases, reference);

  it('reads a corpus with unique ids and a reference result for each case', () => {
    const ids = cases.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(cases.length).toBeGreaterThan(200);
    expect(Object.keys(reference.results).length).toBe(cases.length);
    expect(reference.ansible).toMatch(/^2\.14\./);
  });

  it('agrees with Ansible on every case not listed as a known difference', () => {
    const unexplained = rows
      .filter((r) => !r.agree && !(r.id in known))
      .map((r) => `${r.id}: ${r.kind}\n  ours:    ${JSON.stringify(r.ours)}\n  Ansible: ${JSON.stringify(r.ref)}`);
    expect(unexplained).toEqual([]);
  });

  it('lists as known only differences that still occur, each with its reason', () => {
    for (const [id, reason] of Object.entries(known)) {
      expect(typeof reason === 'string' && reason.length > 10, `${id} needs a reason`).toBe(true);
    }
    const stale = Object.keys(known).filter((id) => rows.find((r) => r.id === id)?.agree !== false);
    expect(stale).toEqual([]);
  });

  it('reaches 97% agreement on the corpus', () => {
    const f = figures(rows);
    expect(f.percent, JSON.stringify(f)).toBeGreaterThanOrEqual(97);
  });
});
