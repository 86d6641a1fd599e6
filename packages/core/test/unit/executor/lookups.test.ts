/** The executor's lookup plugins (with_<name> loops, lookup() and query()), table-driven. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOOKUPS, lookupValue, templateLookupOptions, templateRenderer } from '../../../src/executor/lookups.js';
import { jinjaTemplater } from '../../../src/executor/jinja.js';

const dir = mkdtempSync(join(tmpdir(), 'haweb-lookups-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, 'files'), { recursive: true });
mkdirSync(join(dir, 'roles/r/files'), { recursive: true });
mkdirSync(join(dir, 'templates'), { recursive: true });
writeFileSync(join(dir, 'files/a.conf'), 'a\n');
writeFileSync(join(dir, 'files/b.conf'), 'b\n');
writeFileSync(join(dir, 'files/c.txt'), 'c\n');
writeFileSync(join(dir, 'roles/r/files/only-role.yml'), 'r\n');
mkdirSync(join(dir, 'roles/r/tasks'), { recursive: true });
writeFileSync(join(dir, 'roles/r/tasks/default.yml'), '[]\n');
writeFileSync(join(dir, 'templates/t.j2'), 'hello {{ who }}\n');
// json_macro.j2 of Ansible's template target, in words of our own: a macro printing a dict
writeFileSync(join(dir, 'templates/data.j2'), '{% macro m() %}{{ {"k": who} }}{% endmacro %}\n{{ m() }}\n');
const ctx = { baseDir: dir, roleDir: join(dir, 'roles/r'), renderTemplate: templateRenderer(jinjaTemplater, { who: 'there' }) };

describe('lookup plugins', () => {
  it.each([
    ['items', [[1, [2]], 3], {}, [1, [2], 3]],
    ['list', [[1, 2], 3], {}, [[1, 2], 3]],
    ['dict', [{ a: 1, b: { c: 2 } }], {}, [{ key: 'a', value: 1 }, { key: 'b', value: { c: 2 } }]],
    ['together', [[1, 2, 3], ['a', 'b']], {}, [[1, 'a'], [2, 'b'], [3, null]]],
    ['nested', [['a', 'b'], [1, 2]], {}, [['a', 1], ['a', 2], ['b', 1], ['b', 2]]],
    ['sequence', ['start=1 end=3 format=web%02d'], {}, ['web01', 'web02', 'web03']],
    ['sequence', ['count=3'], {}, ['1', '2', '3']],
    ['sequence', ['start=10 end=0 stride=-5'], {}, ['10', '5', '0']],
    ['sequence', ['4-8/2:x%d'], {}, ['x4', 'x6', 'x8']],
    ['sequence', ['start=0x0a end=0x0c format=%x'], {}, ['a', 'b', 'c']],
    ['subelements', [[{ n: 'u1', keys: ['k1', 'k2'] }, { n: 'u2', keys: [] }], 'keys'], {}, [[{ n: 'u1', keys: ['k1', 'k2'] }, 'k1'], [{ n: 'u1', keys: ['k1', 'k2'] }, 'k2']]],
    ['subelements', [[{ n: 'u1' }], 'keys', { skip_missing: true }], {}, []],
    ['lines', ['printf "x\\ny\\n"'], {}, ['x', 'y']],
    ['pipe', ['echo hi; echo there'], {}, ['hi\nthere']],
    ['env', ['HAWEB_LOOKUP_TEST_UNSET'], {}, ['']],
  ] as const)('%s %j', (name, terms, options, expected) => {
    expect(LOOKUPS[name]([...terms] as unknown[], options, ctx)).toEqual(expected);
  });

  it('files: file, fileglob, first_found search the role, then files/, then the playbook folder', () => {
    expect(LOOKUPS.file(['a.conf'], {}, ctx)).toEqual(['a']);
    expect(LOOKUPS.fileglob(['*.conf'], {}, ctx)).toEqual([join(dir, 'files/a.conf'), join(dir, 'files/b.conf')]);
    expect(LOOKUPS.fileglob(['*.none'], {}, ctx)).toEqual([]);
    expect(LOOKUPS.first_found([['missing.yml', 'only-role.yml', 'a.conf']], {}, ctx)).toEqual([join(dir, 'roles/r/files/only-role.yml')]);
    expect(LOOKUPS.first_found([{ files: ['x', 'c.txt'], paths: ['files'] }], {}, ctx)).toEqual([join(dir, 'files/c.txt')]);
    expect(LOOKUPS.first_found([{ files: ['x'], skip: true }], {}, ctx)).toEqual([]);
    // a relative path is looked up from the role's folder (setup_test_user: paths: [tasks])
    expect(LOOKUPS.first_found([{ files: ['debian.yml', 'default.yml'], paths: ['tasks'] }], {}, ctx)).toEqual([join(dir, 'roles/r/tasks/default.yml')]);
    // then the role's tasks/ folder, where the role's task files are (a file named alone, beside main.yml)
    expect(LOOKUPS.first_found([{ files: ['debian.yml', 'default.yml'] }], {}, ctx)).toEqual([join(dir, 'roles/r/tasks/default.yml')]);
    expect(() => LOOKUPS.first_found(['x', 'y'], {}, ctx)).toThrow(/No file was found when using first_found. Looked for: x, y/);
    expect(LOOKUPS.template(['t.j2'], {}, ctx)).toEqual(['hello there\n']);
  });

  it('errors say what is wrong', () => {
    expect(() => LOOKUPS.dict(['x'], {}, ctx)).toThrow(/with_dict expects a dict/);
    expect(() => LOOKUPS.subelements([[{ n: 1 }], 'keys'], {}, ctx)).toThrow(/could not find 'keys' key/);
    expect(() => LOOKUPS.sequence(['start=5 end=1'], {}, ctx)).toThrow(/make stride negative/);
    expect(() => LOOKUPS.pipe(['exit 3'], {}, ctx)).toThrow(/returned 3/);
  });

  it('lookup() joins text with commas; query() keeps the list (through the real engine)', () => {
    expect(lookupValue(['a', 'b'])).toBe('a,b');
    expect(lookupValue([{ x: 1 }])).toEqual({ x: 1 });
    const vars = { playbook_dir: dir };
    expect(jinjaTemplater.evaluate("lookup('pipe', 'echo one')", vars)).toBe('one');
    // terms are templated first, as Ansible's listify_lookup_plugin_terms does
    expect(jinjaTemplater.evaluate(`lookup('pipe', '{{ tool["cmd"] }} two')`, { ...vars, tool: { cmd: 'echo' } })).toBe('two');
    expect(jinjaTemplater.evaluate(`lookup('env', '{{ "HOME" }}')`, vars)).toBe(process.env.HOME);
    expect(jinjaTemplater.evaluate("query('sequence', 'count=2')", vars)).toEqual(['1', '2']);
    expect(jinjaTemplater.evaluate("lookup('first_found', ['nope', 'b.conf'])", vars)).toBe(join(dir, 'files/b.conf'));
    expect(jinjaTemplater.evaluate("lookup('template', 't.j2')", { ...vars, who: 'you' })).toBe('hello you\n');
  });

  it("errors='ignore' or 'warn': a failing lookup gives None, query() an empty list (include_vars' target)", () => {
    const vars = { playbook_dir: dir };
    expect(jinjaTemplater.evaluate("lookup('first_found', ['nope.yml'], errors='ignore')", vars)).toBeNull();
    expect(jinjaTemplater.evaluate("lookup('first_found', ['nope.yml'], errors='warn')", vars)).toBeNull();
    expect(jinjaTemplater.evaluate("query('first_found', ['nope.yml'], errors='ignore')", vars)).toEqual([]);
    expect(() => jinjaTemplater.evaluate("lookup('first_found', ['nope.yml'], errors='strict')", vars)).toThrow(/No file was found/);
    expect(jinjaTemplater.evaluate("lookup('first_found', ['b.conf'], errors='ignore')", vars)).toBe(join(dir, 'files/b.conf'));
  });

  // Ansible 2.14's plugins/lookup/template.py: convert_data (default true) reads the text back as data
  it.each([
    [{}, { convertData: true, extra: {} }],
    [{ convert_data: false }, { convertData: false, extra: {} }],
    [{ template_vars: { a: 1 } }, { convertData: true, extra: { a: 1 } }],
    [{ jinja2_native: true, variable_start_string: '{{' }, { convertData: true, extra: {} }],
    [{ convert_data: 'no' }, /convert_data must be a boolean/],
    [{ template_vars: [1] }, /template_vars must be a dict/],
    [{ variable_start_string: '[%' }, /variable_start_string="\[%" is not supported/],
    [{ nope: 1 }, /unknown option nope/],
  ] as const)('template lookup options %j', (options, expected) => {
    if (expected instanceof RegExp) expect(() => templateLookupOptions(options)).toThrow(expected);
    else expect(templateLookupOptions(options)).toEqual(expected);
  });

  it.each([
    // [expression, its value, its type_debug as Ansible 2.14 prints it]
    ["lookup('template', 'data.j2')", { k: 'you' }, 'dict'],
    ["lookup('template', 'data.j2', convert_data=True)", { k: 'you' }, 'dict'],
    ["lookup('template', 'data.j2', convert_data=False)", "{'k': 'you'}\n", 'NativeJinjaUnsafeText'],
    ["lookup('ansible.builtin.template', 'data.j2', convert_data=false)", "{'k': 'you'}\n", 'NativeJinjaUnsafeText'],
    ["lookup('template', 'data.j2', template_vars={'who': 'tv'})", { k: 'tv' }, 'dict'],
    ["lookup('template', 't.j2')", 'hello you\n', 'str'],
  ])('%s', (expr, value, type) => {
    const vars = { playbook_dir: dir, who: 'you' };
    expect(jinjaTemplater.renderValue!(`{{ ${expr} }}`, vars)).toEqual(value);
    expect(jinjaTemplater.renderValue!(`{{ ${expr} | type_debug }}`, vars)).toBe(type);
  });

  it('refuses convert_data=False where the result would depend on Python types it cannot see', () => {
    const vars = { playbook_dir: dir, who: 'you', flag: false };
    expect(() => jinjaTemplater.renderValue!("a\n{{ lookup('template', 'data.j2', convert_data=flag) }}", vars)).toThrow(/needs a literal True or False .*\(template line 2\)/);
    expect(() => jinjaTemplater.renderValue!("{{ lookup('template', 'data.j2', convert_data=False) | default('') }}", vars)).toThrow(/inside a larger expression, giving text that looks like data/);
    // a result that cannot be read as data is the same text either way
    expect(jinjaTemplater.renderValue!("{{ lookup('template', 'data.j2', convert_data=False) | length }}", vars)).toBe('13');
    // text around it: Python joins the parts into a new str, read back as data by the usual rule (here: text)
    expect(jinjaTemplater.renderValue!("x{{ lookup('template', 'data.j2', convert_data=False) }}", vars)).toBe("x{'k': 'you'}\n");
  });
});

describe("lookup('password')", () => {
  const pw = (term: string, options = {}) => LOOKUPS.password([term], options, ctx)[0] as string;
  it('/dev/null: a new password each time, 20 of letters, digits and .,:-_', () => {
    const one = pw('/dev/null');
    expect(one).toMatch(/^[A-Za-z0-9.,:_-]{20}$/);
    expect(pw('/dev/null')).not.toBe(one);
  });
  it.each([
    // Python's random.Random(seed).choice, as Ansible picks with seed=
    ['/dev/null seed=seed1', {}, 'w,RXF9QicDnkAedQy:bf'],
    ['/dev/null length=8 chars=a,b,,', { seed: 42 }, ',aa,baaa'],
  ])('%s %j → %s', (term, options, expected) => {
    expect(pw(term, options)).toBe(expected);
  });
  it('chars= takes names of string constants; length=', () => {
    expect(pw('/dev/null length=30 chars=digits')).toMatch(/^[0-9]{30}$/);
    expect(pw('/dev/null', { length: 5, chars: ['ascii_lowercase'].join(',') })).toMatch(/^[a-z]{5}$/);
  });
  it('a file: written once (0600, relative to the playbook folder), then read', () => {
    const first = pw('creds/db length=12');
    expect(first).toMatch(/^[A-Za-z0-9.,:_-]{12}$/);
    expect(readFileSync(join(dir, 'creds/db'), 'utf8')).toBe(`${first}\n`);
    expect(statSync(join(dir, 'creds/db')).mode & 0o777).toBe(0o600);
    expect(pw('creds/db')).toBe(first);
    writeFileSync(join(dir, 'creds/enc'), 'secret salt=abcdefgh\n');
    expect(pw(join(dir, 'creds/enc'))).toBe('secret');
  });
  it('refuses unknown parameters and encrypt=', () => {
    expect(() => pw('/dev/null lenght=3')).toThrow(/Unrecognized parameter\(s\) given to password lookup: lenght/);
    expect(() => pw('/dev/null encrypt=sha512_crypt')).toThrow(/encrypt= is not supported/);
  });
});
