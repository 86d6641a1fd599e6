/**
 * Differential test: every input of kv-args.test.ts plus a seeded corpus of generated strings (quotes,
 * backslashes, braces, `=`, spaces, tabs, newlines) is read by the installed Ansible's own splitter
 * (ansible.parsing.splitter, through the python3 that runs ansible-playbook) and by ours; any difference
 * fails. Without python3 or Ansible the test fails: it is part of the unit run on purpose.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseKv, splitArgs } from '../../../src/playbook/kv-args.js';
import { ERROR_CASES, FREE_FORM_CASES, SPLIT_CASES } from './kv-cases.js';

/** The interpreter ansible-playbook runs under (its shebang), unless HAWEB_ANSIBLE_PYTHON names one. */
function ansiblePython(): string {
  if (process.env.HAWEB_ANSIBLE_PYTHON) return process.env.HAWEB_ANSIBLE_PYTHON;
  let playbook: string;
  try {
    playbook = execFileSync('sh', ['-c', 'command -v ansible-playbook'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('ansible-playbook is not installed: the differential test of the argument parser needs Ansible (scripts/setup.sh installs it)');
  }
  const shebang = /^#!\s*(\S+)/.exec(readFileSync(playbook, 'utf8').split('\n')[0]);
  return shebang ? shebang[1] : 'python3';
}

const PY = `
import json, sys
from ansible.parsing.splitter import parse_kv, split_args
def run(f):
    try:
        return {"ok": f()}
    except Exception as e:
        return {"error": type(e).__name__}
out = []
for s in json.load(sys.stdin):
    out.append([run(lambda: split_args(s)), run(lambda: parse_kv(s)), run(lambda: parse_kv(s, check_raw=True))])
json.dump(out, sys.stdout)
`;

/** A small deterministic generator (mulberry32), so the corpus is the same on every run. */
function generated(count: number, seed: number): string[] {
  let t = seed;
  const rand = (): number => {
    t = (t + 0x6d2b79f5) | 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
  const atoms = ['a', 'b', 'k=', '=', ' ', ' ', '  ', '\t', '\n', '"', "'", '\\', '\\n', '\\"', '{{', '}}', '{%', '%}', '{#', '#}', 'x', 'é', 'creates=', 'chdir=', '\\x41', '\\u00e9', '\\t', '\\='];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let s = '';
    const n = 1 + Math.floor(rand() * 12);
    for (let j = 0; j < n; j++) s += atoms[Math.floor(rand() * atoms.length)];
    out.push(s);
  }
  return out;
}

type Outcome = { ok: unknown } | { error: string };

function ours(f: () => unknown): Outcome {
  try {
    return { ok: f() };
  } catch (e) {
    return { error: (e as Error).name };
  }
}

/** Both refuse, or both give the same value. */
function same(a: Outcome, b: Outcome): boolean {
  if ('error' in a || 'error' in b) return 'error' in a && 'error' in b;
  return JSON.stringify(a.ok) === JSON.stringify(b.ok);
}

describe('argument strings, ours against the installed Ansible', () => {
  const inputs = [
    ...SPLIT_CASES.map((c) => c[0]),
    ...FREE_FORM_CASES.map((c) => c[0]),
    ...ERROR_CASES,
    ...generated(3000, 20261205),
  ];
  const python = ansiblePython();
  const theirs = JSON.parse(execFileSync(python, ['-c', PY], { input: JSON.stringify(inputs), encoding: 'utf8', maxBuffer: 64 << 20 })) as Outcome[][];

  it('reads every input as Ansible does (split_args, parse_kv, parse_kv with check_raw)', () => {
    const differences: string[] = [];
    inputs.forEach((input, i) => {
      const mine = [ours(() => splitArgs(input)), ours(() => parseKv(input)), ours(() => parseKv(input, true))];
      ['split_args', 'parse_kv', 'parse_kv(check_raw)'].forEach((what, j) => {
        if (!same(mine[j], theirs[i][j])) differences.push(`${what} ${JSON.stringify(input)}: ours ${JSON.stringify(mine[j])}, Ansible ${JSON.stringify(theirs[i][j])}`);
      });
    });
    expect(differences).toEqual([]);
    expect(inputs.length).toBeGreaterThan(3000);
  });

  it('the corpus exercises both outcomes (accepted and refused)', () => {
    const refused = theirs.filter((r) => 'error' in r[0]).length;
    expect(refused).toBeGreaterThan(100);
    expect(theirs.length - refused).toBeGreaterThan(100);
  });
});
