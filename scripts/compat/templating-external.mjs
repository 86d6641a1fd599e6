#!/usr/bin/env node
/**
 * Runs external template suites against this project's engine (packages/core/dist) and Ansible 2.14's
 * Templar, and prints the agreement per suite (identical output, or both refuse). The suites' text is
 * read from local git mirrors and written to a temporary folder only, never into this repository.
 *
 *   npm run build
 *   node scripts/compat/templating-external.mjs [--verbose] --jinja MIRROR --ansible MIRROR@v2.14.17 \
 *        --role MIRROR [--role MIRROR ...]
 *
 * MIRROR is a bare git repository (the search tool's fetch gives /work/.mirror/<owner>+<name>/repo).
 * See scripts/compat/templating_external_cases.py for what is extracted from each suite.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compare, figures, pythonWithAnsible, referenceResults } from '../../packages/core/test/unit/templating/differential/harness.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const engineModule = await import(join(root, 'packages/core/dist/templating/engine.js'));
const pytypes = await import(join(root, 'packages/core/dist/templating/pytypes.js'));
const engine = { ...engineModule, floatRepr: pytypes.floatRepr, isTuple: pytypes.isTuple, PyFloat: pytypes.PyFloat };

const args = process.argv.slice(2);
const verbose = args.includes('--verbose');
const suiteArgs = args.filter((a) => a !== '--verbose');
const out = mkdtempSync(join(tmpdir(), 'haweb-templating-external-'));
try {
  const extract = spawnSync(pythonWithAnsible(), [join(root, 'scripts/compat/templating_external_cases.py'), out, ...suiteArgs], { encoding: 'utf8' });
  if (extract.status !== 0) throw new Error(`extraction failed: ${extract.stderr}`);
  const summary = JSON.parse(extract.stdout);
  console.log(`date: ${new Date().toISOString()}  extracted: ${JSON.stringify(summary)}`);
  for (const suite of ['jinja', 'ansible', 'roles']) {
    if (!summary.suites[suite]) continue;
    const file = join(out, `${suite}.json`);
    const cases = JSON.parse(readFileSync(file, 'utf8'));
    const reference = referenceResults(file);
    const rows = compare(engine, cases, reference);
    const f = figures(rows);
    const rendered = rows.filter((r) => r.ref?.ok);
    const renderedSame = rendered.filter((r) => r.kind === 'identical').length;
    console.log(`${suite}: ${f.agree}/${f.total} agree (${f.percent}%): ${f.identical} identical, ${f.bothRefuse} both refuse; of the ${rendered.length} Ansible renders, ${renderedSame} identical (${rendered.length ? Math.floor((1000 * renderedSame) / rendered.length) / 10 : 0}%)`);
    const kinds = {};
    for (const r of rows) if (!r.agree) kinds[r.kind] = (kinds[r.kind] ?? 0) + 1;
    console.log(`  differences by kind: ${JSON.stringify(kinds)}`);
    if (verbose) {
      for (const r of rows.filter((x) => !x.agree)) {
        console.log(`  ${r.id}: ${r.kind}\n    ours:    ${JSON.stringify(r.ours).slice(0, 300)}\n    Ansible: ${JSON.stringify(r.ref).slice(0, 300)}`);
      }
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
