/**
 * Local facts (`ansible_local`): the pure parser against what ansible-core 2.14.18's setup returned for
 * the same files on a lab host (2026-12-05, `ansible -m setup -a filter=ansible_local`), and the shell
 * part run for real by /bin/sh on a scratch fact path.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localFactsScript, parseLocalFacts, readIni } from '../../src/facts/local-facts.js';

const dir = mkdtempSync(join(tmpdir(), 'haweb-facts-d-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function gather(path = dir, timeout = 10) {
  const r = spawnSync('/bin/sh', ['-c', localFactsScript(path, timeout)], { encoding: 'utf8' });
  return parseLocalFacts(r.stdout.split('\n'));
}

describe('local facts, as Ansible reads facts.d', () => {
  it('JSON, INI (DEFAULT inherited, keys lower-cased, continuation lines), scripts, and the failures Ansible words', () => {
    writeFileSync(join(dir, 'j.fact'), '{"a": 1, "b": [true, null]}\n');
    writeFileSync(join(dir, 'i.fact'), '[Sec]\nKey = v1\nother: two words\n  continued\n[DEFAULT]\nd = 1\n');
    writeFileSync(join(dir, 'x.fact'), '#!/bin/sh\necho \'{"x": "y"}\'\n');
    writeFileSync(join(dir, 'bad.fact'), '#!/bin/sh\necho oops >&2; exit 3\n');
    writeFileSync(join(dir, 'junk.fact'), 'not ini nor json\n');
    writeFileSync(join(dir, 'ignored.txt'), '{"not": "a fact"}\n');
    chmodSync(join(dir, 'x.fact'), 0o755);
    chmodSync(join(dir, 'bad.fact'), 0o755);
    const { facts, warnings } = gather();
    // What ansible-core returned for the same five files.
    expect(facts).toEqual({
      bad: `Failure executing fact script (${dir}/bad.fact), rc: 3, err: oops\n`,
      i: { Sec: { d: '1', key: 'v1', other: 'two words\ncontinued' } },
      j: { a: 1, b: [true, null] },
      junk: `error loading facts as JSON or ini - please check content: ${dir}/junk.fact`,
      x: { x: 'y' },
    });
    expect(warnings).toEqual([
      `Failure executing fact script (${dir}/bad.fact), rc: 3, err: oops\n`,
      `error loading facts as JSON or ini - please check content: ${dir}/junk.fact`,
    ]);
    expect(Object.keys(facts)).toEqual(['bad', 'i', 'j', 'junk', 'x']);
  });

  it('no fact path: no local facts', () => {
    expect(gather(join(dir, 'missing'))).toEqual({ facts: {}, warnings: [] });
  });

  it('gather_timeout bounds a fact script', () => {
    const slow = mkdtempSync(join(tmpdir(), 'haweb-facts-slow-'));
    writeFileSync(join(slow, 'slow.fact'), '#!/bin/sh\nsleep 5\necho "{}"\n');
    chmodSync(join(slow, 'slow.fact'), 0o755);
    const { facts } = gather(slow, 1);
    rmSync(slow, { recursive: true, force: true });
    expect(facts.slow).toBe(`Failure executing fact script (${slow}/slow.fact), rc: 124, err: `);
  });

  it.each([
    // Expected values: what Python 3.11's configparser gives for the same text (cp.get of cp.options).
    ['comments, indented ones too, and empty lines', '# c\n; c\n[s]\n\na = 1\n  # an indented comment\n\n', { s: { a: '1' } }],
    ['an empty line inside a continued value', '[s]\na = 1\n\n  b\n\n[t]\nc=2\n', { s: { a: '1\n\nb' }, t: { c: '2' } }],
    ['interpolation', '[s]\nbase = /srv\npath = %(base)s/app\npct = 100%%\n', { s: { base: '/srv', path: '/srv/app', pct: '100%' } }],
    ['defaults overridden', '[DEFAULT]\na = 1\nb = 2\n[s]\nb = 3\n', { s: { b: '3', a: '1' } }],
    ['a colon or an equals sign, whichever comes first', '[s]\nurl = http://x\nk: a=b\n', { s: { url: 'http://x', k: 'a=b' } }],
  ])('INI: %s', (_what, text, expected) => {
    expect(readIni(text)).toEqual(expected);
  });

  it.each([
    ['an option before any section', 'a = 1\n'],
    ['a duplicate section', '[s]\n[s]\n'],
    ['a duplicate option', '[s]\na = 1\nA = 2\n'],
    ['a line without a value', '[s]\nflag\n'],
  ])('INI refuses %s (configparser raises)', (_what, text) => {
    expect(() => readIni(text)).toThrow();
  });
});
