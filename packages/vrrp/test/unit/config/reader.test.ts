import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiagnosticSink, expandBraces, formatDiagnostic, globFiles, loadConfig, parseConfigText, readStatements, type ConfigSource } from '../../../src/config/index.js';

const FILE = '/etc/keepalived/keepalived.conf';
const none: ConfigSource = { readFile: () => { throw new Error('no includes here'); }, glob: () => [] };
const parse = (text: string, options = {}) => {
  const r = parseConfigText(text, FILE, none, undefined, options);
  return { ...r, messages: r.diagnostics.map(formatDiagnostic) };
};
const instance = (iface = 'eth1') => `vrrp_instance VI_1 {\n  interface ${iface}\n  virtual_router_id 51\n  virtual_ipaddress {\n    192.0.2.10\n  }\n}\n`;

/** These tests are about reading; the builder's "nothing to run" error has its own test. */
const notNothingToRun = (m: string) => !m.startsWith('no vrrp_instance');
const dirs: string[] = [];
const tempDir = () => { const d = mkdtempSync(join(tmpdir(), 'vrrpd-reader-')); dirs.push(d); return d; };
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

describe('characters keepalived does not treat as blanks', () => {
  it.each([
    ['\u00a0', 'U+00A0 (NO-BREAK SPACE)'],
    ['\u2028', 'U+2028 (LINE SEPARATOR)'],
    ['\u2029', 'U+2029 (PARAGRAPH SEPARATOR)'],
    ['\u3000', 'U+3000 (IDEOGRAPHIC SPACE)'],
  ])('%j inside a keyword makes an unknown keyword, with a warning at its column', (ch, name) => {
    const r = parse(instance().replace('  interface eth1', `  interface${ch}eth1`));
    expect(r.messages).toContain(`${FILE}:2:12: warning: 'interface${ch}eth1' contains ${name}, which keepalived reads as part of the word, not as a blank`);
    expect(r.messages).toContain(`${FILE}:2:3: warning: unknown keyword 'interface${ch}eth1' at vrrp_instance VI_1; ignored`);
    expect(r.ok).toBe(false); // the instance has no interface now
  });
  it('a non-breaking space inside a value makes it a bad value', () => {
    const r = parse(instance().replace('virtual_router_id 51', 'virtual_router_id 51\u00a0'));
    expect(r.messages.some((m) => m.includes("virtual_router_id: '51\u00a0' is not an integer"))).toBe(true);
  });
  it('a byte order mark at the start of the file is skipped with a warning', () => {
    const r = parse(`\ufeff${instance()}`);
    expect(r.messages).toEqual([`${FILE}:1:1: warning: byte order mark (U+FEFF) at the start of the file skipped; keepalived would read it as part of the first word`]);
    expect(r.config!.instances).toHaveLength(1);
  });
});

describe('line endings', () => {
  it('CRLF reads as LF', () => {
    const r = parse(instance().replace(/\n/g, '\r\n'));
    expect(r.messages).toEqual([]);
    expect(r.config!.instances[0]).toMatchObject({ interface: 'eth1', vrid: 51 });
  });
  it('CR-only is one line, as keepalived reads it, and says so', () => {
    const r = parse(`! managed by hand\r${instance().replace(/\n/g, '\r')}`);
    expect(r.messages[0]).toBe(`${FILE}:1:1: warning: the file has CR-only line endings (old Mac style): keepalived reads it as one single line, and so does vrrpd; convert it with \`tr "\\r" "\\n"\``);
    expect(r.config!.instances).toHaveLength(0);
  });
});

describe('bounds', () => {
  it('10,000 nested braces: one error, no stack overflow', () => {
    const r = parse(`global_defs ${'{ x '.repeat(10_000)}${'} '.repeat(10_000)}\n`);
    expect(r.messages.filter((m) => m.includes('blocks nest more than 64 deep'))).toHaveLength(1);
  });
  it('unbalanced braces are reported at the opener', () => {
    expect(parse('global_defs {\n').messages).toContain(`${FILE}:1:13: error: block opened here is never closed (missing '}')`);
  });
  it('a file larger than the limit is refused, not read', () => {
    const r = parse(`! ${'x'.repeat(2000)}\n`, { limits: { maxFileBytes: 1000 } });
    expect(r.messages.slice(0, 1)).toEqual([`${FILE}:1:1: error: ${FILE} is 2003 bytes, more than the 1000 a configuration file may have; not read`]);
  });
  it('past 1000 diagnostics the rest are counted in one closing diagnostic, an error if any was', () => {
    const r = parse(`${instance()}${'bogus\n'.repeat(1500)}vrrp_script\n`);
    expect(r.diagnostics).toHaveLength(1001);
    expect(r.messages[1000]).toBe(`${FILE}:1008:1: error: 501 more diagnostics not shown (1 errors, 500 warnings), the first of them here`);
    expect(r.ok).toBe(false);
  });
  it('too many words are refused', () => {
    const r = parse(`${'a b c d\n'.repeat(100)}`, { limits: { maxTokens: 50 } });
    expect(r.messages[0]).toMatch(/more than 50 words; the rest is not read/);
  });
});

describe('includes on the real file system', () => {
  it('a chain 9 deep works, an include loop is named, a directory is skipped with a warning', () => {
    const d = tempDir();
    for (let i = 1; i <= 9; i++) writeFileSync(join(d, `c${i}.conf`), i < 9 ? `include c${i + 1}.conf\n` : instance());
    writeFileSync(join(d, 'main.conf'), 'include c1.conf\n');
    const chain = loadConfig(join(d, 'main.conf'));
    expect(chain.diagnostics).toEqual([]);
    expect(chain.config!.instances).toHaveLength(1);

    writeFileSync(join(d, 'loop.conf'), 'include loop2.conf\n');
    writeFileSync(join(d, 'loop2.conf'), 'include loop.conf\n');
    const loop = loadConfig(join(d, 'loop.conf'));
    expect(loop.diagnostics.map((x) => x.message).filter(notNothingToRun)).toEqual([`include loop.conf: ${join(d, 'loop.conf')} is already being read (include loop: ${join(d, 'loop.conf')} -> ${join(d, 'loop2.conf')} -> ${join(d, 'loop.conf')}); not read again`]);

    mkdirSync(join(d, 'sub'));
    writeFileSync(join(d, 'sub', 'x.conf'), instance());
    writeFileSync(join(d, 'dir.conf'), `include sub\ninclude /\n`);
    const dir = loadConfig(join(d, 'dir.conf'));
    expect(dir.diagnostics.filter((x) => notNothingToRun(x.message)).map((x) => `${x.line}:${x.col}: ${x.severity}: ${x.message}`)).toEqual([
      `1:9: warning: include sub: '${join(d, 'sub')}/' is a directory; skipped (as keepalived does)`,
      "2:9: warning: include /: '/' is a directory; skipped (as keepalived does)",
    ]);
  });
  it('brace globs as GLOB_BRACE: alternatives in order written, each sorted', () => {
    const d = tempDir();
    for (const f of ['a1.conf', 'a2.conf', 'b.conf', 'c.conf']) writeFileSync(join(d, f), '');
    expect(globFiles('{c,a*}.conf', d)).toEqual([join(d, 'c.conf'), join(d, 'a1.conf'), join(d, 'a2.conf')]);
    expect(expandBraces('x{a,b{1,2}}y{}')).toEqual(['xay{}', 'xb1y{}', 'xb2y{}']);
    expect(() => expandBraces('{a,b}'.repeat(11))).toThrow(/more than 1024 alternatives/);
  });
  it('fan-out (every file including *.conf) stops at the file limit instead of reading N^8 files', () => {
    const d = tempDir();
    for (let i = 0; i < 6; i++) writeFileSync(join(d, `f${i}.conf`), 'include *.conf\n');
    writeFileSync(join(d, 'main.cfg'), 'include *.conf\n');
    const r = loadConfig(join(d, 'main.cfg'));
    expect(r.ok).toBe(false);
    expect(r.diagnostics.filter((x) => x.severity === 'error').every((x) => /include loop|more than 1000 files|no vrrp_instance|more diagnostics not shown/.test(x.message))).toBe(true);
  });
  it('an executable file is skipped with a warning, as keepalived does', () => {
    const d = tempDir();
    writeFileSync(join(d, 'x.conf'), instance());
    chmodSync(join(d, 'x.conf'), 0o755);
    writeFileSync(join(d, 'main.cfg'), 'include x.conf\n');
    expect(loadConfig(join(d, 'main.cfg')).diagnostics.map((x) => x.message)).toContain(`include: '${join(d, 'x.conf')}' is executable; keepalived reads only non-executable files; skipped (as keepalived does)`);
  });
  it('a block may span files (keepalived reads includes as lines in place)', () => {
    const sink = new DiagnosticSink();
    const files: Record<string, string> = { '/k/main.conf': 'vrrp_instance VI_1 {\ninclude body.conf\n}\n', '/k/body.conf': 'interface eth1\n' };
    const source: ConfigSource = { readFile: (p) => files[p], glob: (p, cwd) => [`${cwd}/${p}`] };
    const statements = readStatements('/k/main.conf', source, sink);
    expect(sink.items).toEqual([]);
    expect(statements[0].block!.map((s) => s.keyword.value)).toEqual(['interface']);
  });
});
