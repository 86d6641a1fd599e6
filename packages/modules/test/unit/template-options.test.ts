/** The template module's Jinja2 options: trim_blocks, lstrip_blocks, other delimiters, newline_sequence. */
import { describe, expect, it } from 'vitest';
import { renderTemplate } from '@haweb/core';
import { encodeOutput, templateModule, templateSource, templateVars, withDelimiters, withNewlines } from '../../src/modules/template.js';
import { hostname } from 'node:os';

const render = (text: string, opts: Parameters<typeof templateSource>[1], vars: Record<string, unknown> = {}) => renderTemplate(templateSource(text, opts), vars);

describe('template options', () => {
  it.each([
    // trim_blocks on (Ansible's default): the newline after a block tag goes
    ['{% if True %}\nHello world\n{% endif %}\nGoodbye\n', {}, 'Hello world\nGoodbye\n'],
    ['{% if True %}\nHello world\n{% endif %}\nGoodbye\n', { trim_blocks: false }, '\nHello world\n\nGoodbye\n'],
    // lstrip_blocks: the spaces before a block tag go
    ['  {% if True %}\nx\n  {% endif %}\n', { lstrip_blocks: true }, 'x\n'],
    // (Ansible adds back the final newline Jinja2 dropped)
    ['  {% if True %}\nx\n  {% endif %}\n', {}, '  x\n  \n'],
    // the template's own #jinja2: line wins over the module's option
    ['#jinja2: trim_blocks: True\n{% if True %}\nx\n{% endif %}\n', { trim_blocks: false }, 'x\n'],
    // other delimiters: Jinja2's own are then plain text
    ['Before\n[# Test comment_start_string #]\nAfter\n', { comment_start_string: '[#', comment_end_string: '#]' }, 'Before\nAfter\n'],
    // (comments keep Jinja2's own delimiters)
    ['[[ a ]] {{ a }} {# no #}\n', { variable_start_string: '[[', variable_end_string: ']]' }, '1 {{ a }} \n'],
    ['<% if a %>yes<% endif %> {% raw %}\n', { block_start_string: '<%', block_end_string: '%>' }, 'yes {% raw %}\n'],
  ])('%j with %j', (text, opts, expected) => {
    expect(render(text, opts, { a: 1 })).toBe(expected);
  });

  it.each([
    ['a\nb\n', undefined, 'a\nb\n'],
    ['a\nb\n', '\\n', 'a\nb\n'],
    ['a\nb\n', '\\r\\n', 'a\r\nb\r\n'],
    ['a\nb\n', '\r\n', 'a\r\nb\r\n'],
    ['a\nb\n', '\\r', 'a\rb\r'],
  ])('newline_sequence: %j with %j', (content, seq, expected) => {
    expect(withNewlines(content, seq)).toBe(expected);
  });

  it.each([
    ['#jinja2: line_statement_prefix:":"\n: if true\nfoo\n: endif\n', 'foo\n'],
    ['#jinja2: line_statement_prefix: "%"\n  % for x in [1, 2]\n{{ x }}\n  % endfor\n', '1\n2\n'],
  ])('a #jinja2: line_statement_prefix: %j', (text, expected) => {
    expect(renderTemplate(text, {})).toBe(expected);
  });

  it('a #jinja2: line without a colon is refused as Ansible refuses it', () => {
    expect(() => renderTemplate('#jinja2: lstrip_blocks=True\n', {})).toThrow(/failed to parse jinja2 override 'lstrip_blocks=True'/);
  });

  it('default delimiters leave the text alone; an unclosed one is an error naming its line', () => {
    expect(withDelimiters('{{ a }} [# x', {})).toBe('{{ a }} [# x');
    expect(() => withDelimiters('a\n[# x', { comment_start_string: '[#', comment_end_string: '#]' })).toThrow(/'\[#' without its '#\]' \(template line 2\)/);
  });

  it('accepts the options under Ansible\'s names and values', () => {
    const ok = (extra: Record<string, unknown>) => templateModule.args.safeParse({ src: 'a.j2', dest: '/tmp/a', ...extra }).success;
    expect(ok({ trim_blocks: 'no', lstrip_blocks: true, newline_sequence: '\\r\\n', comment_start_string: '[#', comment_end_string: '#]' })).toBe(true);
    expect(ok({ newline_sequence: 'crlf' })).toBe(false);
  });

  it.each([
    ['caf\u00e9 \u20ac', undefined, undefined],
    ['caf\u00e9 \u20ac', '', undefined],
    ['caf\u00e9 \u20ac', 'utf-8', undefined],
    ['caf\u00e9 \u20ac', 'windows-1252', [0x63, 0x61, 0x66, 0xe9, 0x20, 0x80]],
    ['caf\u00e9', 'cp1252', [0x63, 0x61, 0x66, 0xe9]],
    ['caf\u00e9', 'ISO-8859-1', [0x63, 0x61, 0x66, 0xe9]],
    ['abc', 'ascii', [0x61, 0x62, 0x63]],
  ])('output_encoding: %j in %j', (text, encoding, bytes) => {
    const out = encodeOutput(text, encoding);
    expect(out === undefined ? undefined : [...out]).toEqual(bytes);
  });

  it('output_encoding: a character the encoding lacks, or an unknown codec, is an error', () => {
    expect(() => encodeOutput('\u20ac', 'latin-1')).toThrow(/'latin-1' codec can't encode character '\\u20ac' in position 0/);
    expect(() => encodeOutput('x', 'ebcdic')).toThrow(/output_encoding 'ebcdic' is not supported/);
  });

  it("the variables Ansible's template action adds", async () => {
    const v = await templateVars('foo.j2', __filename, '/tmp/out/foo');
    expect(v).toMatchObject({ template_host: hostname(), template_path: 'foo.j2', template_fullpath: __filename, template_destpath: '/tmp/out/foo', ansible_managed: 'Ansible managed' });
    expect(v.template_run_date).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
  });
});
