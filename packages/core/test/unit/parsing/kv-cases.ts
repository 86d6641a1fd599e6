/**
 * The argument-string rules as facts: each row is an input and what ansible-core 2.14 makes of it
 * (the rows cover the behaviours its own unit tests for split_args/parse_kv pin down, in
 * ansible/ansible test/units/parsing/test_splitter.py, plus the cases haweb users hit). The same
 * inputs are also run through the installed Ansible by kv-args.ansible.test.ts.
 */

/** [input, words after splitting, mapping after parse_kv (not free form)] */
export const SPLIT_CASES: [string, string[], Record<string, string>][] = [
  ['', [], {}],
  ['a', ['a'], { _raw_params: 'a' }],
  ['a=b', ['a=b'], { a: 'b' }],
  ['a="foo bar"', ['a="foo bar"'], { a: 'foo bar' }],
  ['"foo bar baz"', ['"foo bar baz"'], { _raw_params: '"foo bar baz"' }],
  ['foo bar baz', ['foo', 'bar', 'baz'], { _raw_params: 'foo bar baz' }],
  ['a=b c="foo bar"', ['a=b', 'c="foo bar"'], { a: 'b', c: 'foo bar' }],
  ['a="echo \\"hello world\\"" b=bar', ['a="echo \\"hello world\\""', 'b=bar'], { a: 'echo "hello world"', b: 'bar' }],
  ["a=\"nest'ed\"", ["a=\"nest'ed\""], { a: "nest'ed" }],
  ['a\\=escaped', ['a\\=escaped'], { _raw_params: 'a=escaped' }],
  ['a="multi\nline"', ['a="multi\nline"'], { a: 'multi\nline' }],
  ['a="blank\n\nline"', ['a="blank\n\nline"'], { a: 'blank\n\nline' }],
  ['a="a long\nmessage\\\nabout a thing\n"', ['a="a long\nmessage\\\nabout a thing\n"'], { a: 'a long\nmessage\\\nabout a thing\n' }],
  ['line \\\ncontinuation', ['line', 'continuation'], { _raw_params: 'line continuation' }],
  ['not jinja}}', ['not', 'jinja}}'], { _raw_params: 'not jinja}}' }],
  ['a={{jinja}}', ['a={{jinja}}'], { a: '{{jinja}}' }],
  ['a={{ jinja }}', ['a={{ jinja }}'], { a: '{{ jinja }}' }],
  ['a={% jinja %}', ['a={% jinja %}'], { a: '{% jinja %}' }],
  ['a={# jinja #}', ['a={# jinja #}'], { a: '{# jinja #}' }],
  ['a="{{jinja}}"', ['a="{{jinja}}"'], { a: '{{jinja}}' }],
  ['a={{ jinja }}{{jinja2}}', ['a={{ jinja }}{{jinja2}}'], { a: '{{ jinja }}{{jinja2}}' }],
  ['a={{jinja}} b={{jinja2}}', ['a={{jinja}}', 'b={{jinja2}}'], { a: '{{jinja}}', b: '{{jinja2}}' }],
  ['a="café eñyei"', ['a="café eñyei"'], { a: 'café eñyei' }],
  [`a={{ foo | f(' ', " ") }} b=bar`, [`a={{ foo | f(' ', " ") }}`, 'b=bar'], { a: `{{ foo | f(' ', " ") }}`, b: 'bar' }],
  ['One\n  Two\n    Three\n', ['One\n ', 'Two\n   ', 'Three\n'], { _raw_params: 'One\n  Two\n    Three\n' }],
  // ansible-core 2.14 doubles the newline of a one-piece line inside {{ }} (fixed in later releases).
  ['a={{multiline\njinja}}', ['a={{multiline\n\njinja}}'], { a: '{{multiline\n\njinja}}' }],
  // Escapes are decoded before the key is looked for; the value keeps what the decoding gave.
  ['msg="tab\\there"', ['msg="tab\\there"'], { msg: 'tab\there' }],
  ['a=\\x41\\u00e9', ['a=\\x41\\u00e9'], { a: 'Aé' }],
  // Interior quotes stay: only one pair of matching outer quotes goes.
  [`evil=q'1 2'`, [`evil=q'1 2'`], { evil: "q'1 2'" }],
  [`a='x' b="it's"`, [`a='x'`, `b="it's"`], { a: 'x', b: "it's" }],
  // The first unescaped `=` after the first character ends the key.
  ['a=b=c', ['a=b=c'], { a: 'b=c' }],
  ['=x', ['=x'], { _raw_params: '=x' }],
  ['a\\=b=c', ['a\\=b=c'], { 'a\\=b': 'c' }],
  // Tabs do not split; runs of spaces between words are kept on the word before.
  ['a=1\tb=2', ['a=1\tb=2'], { a: '1\tb=2' }],
  ['a=1   b=2', ['a=1  ', 'b=2'], { a: '1', b: '2' }],
  ['update_cache=yes cache_valid_time=3600', ['update_cache=yes', 'cache_valid_time=3600'], { update_cache: 'yes', cache_valid_time: '3600' }],
  ['name=npm state=present enablerepo=epel', ['name=npm', 'state=present', 'enablerepo=epel'], { name: 'npm', state: 'present', enablerepo: 'epel' }],
];

/** [input, mapping for command/shell (free form)] */
export const FREE_FORM_CASES: [string, Record<string, string>][] = [
  ['raw=yes', { _raw_params: 'raw=yes' }],
  ['creates=something', { creates: 'something' }],
  ['rm -f /etc/x removes=/etc/x', { removes: '/etc/x', _raw_params: 'rm -f /etc/x' }],
  ['make install chdir=/src creates=/usr/bin/x', { chdir: '/src', creates: '/usr/bin/x', _raw_params: 'make install' }],
  ['echo a=b "c d"  e', { _raw_params: 'echo a=b "c d"  e' }],
  ['echo {{ x }} executable=/bin/bash', { executable: '/bin/bash', _raw_params: 'echo {{ x }}' }],
  ['cat stdin="hello world"', { stdin: 'hello world', _raw_params: 'cat' }],
  ["echo 'creates=/x'", { _raw_params: "echo 'creates=/x'" }],
  ['echo "a\\tb"', { _raw_params: 'echo "a\\tb"' }],
];

// ansible-core 2.14 also fails (IndexError) on a blank or leading-space-only line and on a leading
// newline, which later releases accept.
export const ERROR_CASES = ['"', "'", '{{', '{%', '{#', 'a="open', '\nstarts with a newline', ' ', '\\ '];
