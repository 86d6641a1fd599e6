#!/usr/bin/env node
// Adds up the vitest JSON reports of the last `npm test` (each package's unit tests and the
// integration run) and prints one closing line per suite and in all: "N passed, N failed, N skipped".
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const reports = [
  ...readdirSync(join(root, 'packages')).map((p) => ({ name: `unit ${p}`, file: join(root, 'packages', p, '.vitest', 'unit.json') })),
  { name: 'integration', file: join(root, 'test', '.artifacts', 'integration.json') },
];

const total = { passed: 0, failed: 0, skipped: 0 };
let missing = 0;
for (const { name, file } of reports) {
  if (!existsSync(file)) {
    console.log(`${name}: no report (${file})`);
    missing++;
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  const counts = { passed: r.numPassedTests ?? 0, failed: r.numFailedTests ?? 0, skipped: (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0) };
  for (const k of Object.keys(total)) total[k] += counts[k];
  console.log(`${name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
}
console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed > 0 || missing > 0 || total.passed === 0 ? 1 : 0);
