/** The pure parts of running a library module: its style, its arguments file, its answer, its module_utils. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  argsFile,
  filterNonJsonLines,
  internalArgs,
  moduleStyle,
  moduleUtilsImports,
  parseJobOutput,
  parseModuleOutput,
  relativeImports,
  selectModuleUtils,
  shebangInterpreter,
} from '../../../src/library/python.js';
import { diffPairs, findLibraryModule, librarySearchPath } from '../../../src/library/library-module.js';
import { zipArchive } from '../../../src/library/zip.js';

describe('moduleStyle and shebangInterpreter', () => {
  it.each([
    ['from ansible.module_utils.basic import AnsibleModule\n', 'new'],
    ['import ansible.module_utils.basic\n', 'new'],
    ['from ansible_collections.ns.col.plugins.module_utils.x import y\n', 'new'],
    ['#!/usr/bin/python\n# WANT_JSON\nimport json\n', 'want_json'],
    ['#!/bin/sh\necho \'{"changed": false}\'\n', 'old'],
  ])('%j is %s', (text, style) => {
    expect(moduleStyle(text)).toBe(style);
  });

  it.each([
    ['#!/usr/bin/python3\n', '/usr/bin/python3'],
    ['#! /usr/bin/env python3\n', 'python3'],
    ['#!/bin/sh -e\n', '/bin/sh'],
    ['import os\n', undefined],
  ])('%j runs with %s', (text, interpreter) => {
    expect(shebangInterpreter(text)).toBe(interpreter);
  });
});

describe('argsFile', () => {
  const internal = internalArgs({ check: true, diff: false, noLog: false, verbosity: 0, moduleName: 'probe', tmpdir: '/root/.ansible/tmp/t', remoteTmp: '~/.ansible/tmp', version: '2.14.18' });
  it('gives the _ansible_* keys AnsibleModule reads (PASS_VARS), with their defaults', () => {
    expect(internal).toMatchObject({
      _ansible_check_mode: true,
      _ansible_diff: false,
      _ansible_no_log: false,
      _ansible_verbosity: 0,
      _ansible_module_name: 'probe',
      _ansible_tmpdir: '/root/.ansible/tmp/t',
      _ansible_remote_tmp: '~/.ansible/tmp',
      _ansible_version: '2.14.18',
      _ansible_shell_executable: '/bin/sh',
      _ansible_keep_remote_files: false,
    });
  });
  it.each([
    ['new' as const, (t: string) => JSON.parse(t), { ANSIBLE_MODULE_ARGS: { name: 'x y', n: 1, ...internal } }],
    ['want_json' as const, (t: string) => JSON.parse(t), { name: 'x y', n: 1, ...internal }],
    ['old' as const, (t: string) => t.split(' _ansible')[0], "name='x y' n=1"],
  ])('%s style', (style, read, expected) => {
    expect(read(argsFile(style, { name: 'x y', n: 1 }, internal))).toEqual(expected);
  });
});

describe('filterNonJsonLines (ansible.module_utils.json_utils)', () => {
  it.each([
    ['{"a": 1}\n', '{"a": 1}', []],
    ['junk before\n{"a": 1}\n', '{"a": 1}', []],
    ['{"a": 1}\ntrailing junk\n', '{"a": 1}', ['Module invocation had junk after the JSON data: trailing junk']],
    ['{"a": 1}\n\n  \n', '{"a": 1}', []],
    ['motd\n{\n "a": [1]\n}\n', '{\n "a": [1]\n}', []],
  ])('%j', (data, json, warnings) => {
    expect(filterNonJsonLines(data)).toEqual({ json, warnings });
  });
  it('fails with no JSON start, or no end', () => {
    expect(() => filterNonJsonLines('nothing\n')).toThrow('No start of json char found');
    expect(() => filterNonJsonLines('{"a": \n')).toThrow('No end of json char found');
  });
});

describe("a module's answer", () => {
  it.each([
    ['success', { rc: 0, stdout: '{"changed": true, "x": 1}\n', stderr: '' }, { changed: true, x: 1 }, []],
    ['graceful failure', { rc: 1, stdout: '{"failed": true, "msg": "no", "invocation": {}}\n', stderr: '' }, { changed: false, failed: true, msg: 'no', invocation: {} }, []],
    ['internal keys dropped', { rc: 0, stdout: '{"changed": false, "_ansible_no_log": false}', stderr: '' }, { changed: false }, []],
    ['stdout lines added', { rc: 0, stdout: '{"changed": false, "stdout": "a\\nb\\n"}', stderr: '' }, { changed: false, stdout: 'a\nb\n', stdout_lines: ['a', 'b'] }, []],
    [
      'trailing junk: a warning to show, not in the result',
      { rc: 0, stdout: '{"changed": true}\njunk\n', stderr: '' },
      { changed: true },
      ['Module invocation had junk after the JSON data: junk'],
    ],
    [
      'no JSON: MODULE FAILURE with the output',
      { rc: 1, stdout: '', stderr: 'Traceback (most recent call last):\nException: boom\n' },
      {
        changed: false,
        failed: true,
        module_stdout: '',
        module_stderr: 'Traceback (most recent call last):\nException: boom\n',
        exception: 'Traceback (most recent call last):\nException: boom\n',
        msg: 'MODULE FAILURE\nSee stdout/stderr for the exact error',
        rc: 1,
      },
      [],
    ],
  ])('in the task: %s', (_name, out, result, displayWarnings) => {
    expect(parseModuleOutput(out)).toEqual({ result, displayWarnings });
  });

  it.each([
    ['leading junk dropped', { rc: 0, stdout: 'leading junk\n{"changed": true}\n', stderr: '' }, { changed: true }],
    [
      'trailing junk: a warning in the result',
      { rc: 0, stdout: '{"changed": true, "warnings": ["own"]}\ntrailing junk after module output\n', stderr: '' },
      { changed: true, warnings: ['own', 'Module invocation had junk after the JSON data: trailing junk after module output'] },
    ],
    ['stderr kept', { rc: 0, stdout: '{"changed": true}', stderr: 'printed to stderr\n' }, { changed: true, stderr: 'printed to stderr\n', stderr_lines: ['printed to stderr'] }],
    [
      'no JSON: failed, with the output and stderr',
      { rc: 1, stdout: '', stderr: 'Exception: failing via exception\n' },
      {
        changed: false,
        failed: true,
        cmd: 'probe',
        data: '',
        stderr: 'Exception: failing via exception\n',
        stderr_lines: ['Exception: failing via exception'],
        msg: "could not read the module's JSON output: No start of json char found",
      },
    ],
  ])('as a background job: %s', (_name, out, result) => {
    expect(parseJobOutput(out, 'probe')).toEqual(result);
  });
});

describe('module_utils selection', () => {
  it.each([
    ['from ansible.module_utils.basic import AnsibleModule', ['basic', 'basic.AnsibleModule']],
    ['from ansible.module_utils.common.text.converters import to_text, to_bytes', ['common.text.converters', 'common.text.converters.to_bytes', 'common.text.converters.to_text']],
    ['from ansible.module_utils import six', ['six']],
    ['import ansible.module_utils.urls as u, os', ['urls']],
    ['    from ansible.module_utils.compat import (\n  selinux,\n)', ['compat', 'compat.selinux']],
    ['import os\n# from ansible.module_utils.basic import x\n', []],
  ])('%j imports %j', (text, names) => {
    expect(moduleUtilsImports(text)).toEqual(names);
  });

  it.each([
    ['from . import b', 'pkg.a', false, ['pkg', 'pkg.b']],
    ['from .c import d', 'pkg.a', false, ['pkg.c', 'pkg.c.d']],
    ['from ..e import f', 'pkg.sub', true, ['pkg.e', 'pkg.e.f']],
    ['from .. import (\n  g,  # why\n  h,\n)', 'pkg.sub.mod', false, ['pkg', 'pkg.g', 'pkg.h']],
  ])('%j in %s', (text, self, isPackage, names) => {
    expect(relativeImports(text, self, isPackage).sort()).toEqual(names);
  });

  it('follows imports through files and packages, with every __init__.py on the way', () => {
    const tree: Record<string, string> = {
      '__init__.py': '',
      'basic.py': 'from ansible.module_utils.common.text.converters import to_text\nfrom ansible.module_utils.six import PY3\n',
      'six/__init__.py': '',
      'common/__init__.py': '',
      'common/text/__init__.py': '',
      'common/text/converters.py': 'from .formatters import x\n',
      'common/text/formatters.py': '',
      'urls.py': 'never imported',
    };
    expect(selectModuleUtils('from ansible.module_utils.basic import AnsibleModule\n', (p) => tree[p])).toEqual([
      '__init__.py',
      'basic.py',
      'common/__init__.py',
      'common/text/__init__.py',
      'common/text/converters.py',
      'common/text/formatters.py',
      'six/__init__.py',
    ]);
  });
});

describe('zipArchive', () => {
  it("is read by Python's zipimport: a module in the archive imports", () => {
    const dir = mkdtempSync(join(tmpdir(), 'haweb-zip-'));
    try {
      const zip = join(dir, 'm.zip');
      writeFileSync(zip, zipArchive([{ name: 'pkg/__init__.py', data: Buffer.from('') }, { name: 'pkg/mod.py', data: Buffer.from('VALUE = "from the zip é"\n'.repeat(3)) }]));
      const r = spawnSync('python3', ['-c', 'import pkg.mod; print(pkg.mod.VALUE)'], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: zip } });
      expect(r.stdout.trim()).toBe('from the zip é');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('gives the same bytes for the same files', () => {
    const entries = [{ name: 'a.py', data: Buffer.from('x = 1\n') }];
    expect(zipArchive(entries).equals(zipArchive(entries))).toBe(true);
  });
});

describe('finding library modules', () => {
  it.each([
    [['roles/r/library/probe.py'], 'probe', true, "role 'r'"],
    [['library/probe.py'], 'probe', true, 'playbook'],
    [['roles/r/library/probe.py', 'library/probe.py'], 'probe', true, "role 'r'"],
    [['extra/probe'], 'probe', true, 'ANSIBLE_LIBRARY'],
    [['library/probe.py'], 'ansible.legacy.probe', true, 'playbook'],
    [['library/probe.py'], 'other', false, undefined],
    [['roles/r/files/probe.py'], 'probe', false, undefined],
  ])('%j, task module %s', (files, module, found, where) => {
    const dir = mkdtempSync(join(tmpdir(), 'haweb-lib-'));
    const saved = process.env.ANSIBLE_LIBRARY;
    try {
      for (const f of files) {
        spawnSync('mkdir', ['-p', join(dir, f, '..')]);
        writeFileSync(join(dir, f), '#!/usr/bin/python\n');
      }
      process.env.ANSIBLE_LIBRARY = `/nonexistent:${join(dir, 'extra')}`;
      const lib = findLibraryModule(module, { name: 'r', path: join(dir, 'roles/r') } as never, dir);
      expect(lib !== undefined).toBe(found);
      expect(lib?.where).toBe(where);
    } finally {
      if (saved === undefined) delete process.env.ANSIBLE_LIBRARY;
      else process.env.ANSIBLE_LIBRARY = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('searches the role, the playbook, then ANSIBLE_LIBRARY', () => {
    expect(librarySearchPath({ name: 'r', path: '/p/roles/r' } as never, '/p', { ANSIBLE_LIBRARY: '/a:~/b', HOME: '/home/u' })).toEqual([
      { dir: '/p/roles/r/library', where: "role 'r'" },
      { dir: '/p/library', where: 'playbook' },
      { dir: '/a', where: 'ANSIBLE_LIBRARY' },
      { dir: '/home/u/b', where: 'ANSIBLE_LIBRARY' },
    ]);
  });
});

describe("diffPairs: a Python module's diff as the text pairs the reporter shows", () => {
  it.each([
    [{ before: '', after: 'a\n' }, [{ before: '', after: 'a\n' }]],
    [[{ before: 'x', after: 'y', before_header: 'f (before)', after_header: 'f (after)' }], [{ before: 'x', after: 'y', beforeHeader: 'f (before)', afterHeader: 'f (after)' }]],
    [{ before: { state: 'absent', path: '/a' }, after: { state: 'file', path: '/a' } }, [{ before: '{\n    "path": "/a",\n    "state": "absent"\n}\n', after: '{\n    "path": "/a",\n    "state": "file"\n}\n' }]],
    [{ prepared: 'text' }, [{ before: '', after: '', prepared: 'text' }]],
    [{ before: 'a', after: 'b', prepared: 'p' }, [{ before: 'a', after: 'b' }, { before: '', after: '', prepared: 'p' }]],
    [{}, []],
    ['not a diff', []],
  ])('%j', (diff, pairs) => {
    expect(diffPairs(diff)).toEqual(pairs);
  });
});
