/**
 * Ansible's INI inventory:
 *   host1 ansible_host=198.51.100.51 ansible_port=22     # hosts before any section are ungrouped
 *   [web]
 *   web[01:03].example ansible_user=deploy               # ranges; `name:port` sets ansible_port
 *   [web:vars]
 *   http_port=8080                                       # strings, whole rest of the line
 *   [lb:children]
 *   web
 * Inline host values are read as Python literals (22 -> number, True -> boolean, "x" -> x), as Ansible
 * does; `:vars` values are strings (surrounding quotes removed).
 */
import type { SourcePos, Vars } from '../model.js';
import { expandHostRange, type InventoryBuilder } from './builder.js';

interface Token {
  text: string;
  col: number;
}

/** Split a line into shell-like words (quotes removed, `#` outside quotes starts a comment). */
function tokenize(line: string): Token[] {
  const out: Token[] = [];
  let cur = '';
  let start = -1;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) cur += line[++i];
      else cur += c;
      continue;
    }
    if (c === '#' && (start < 0 || /\s/.test(line[i - 1] ?? ' '))) break;
    if (/\s/.test(c)) {
      if (start >= 0) out.push({ text: cur, col: start + 1 });
      cur = '';
      start = -1;
      continue;
    }
    if (start < 0) start = i;
    if (c === '"' || c === "'") quote = c;
    else cur += c;
  }
  if (quote) throw new Error(`unterminated ${quote} quote`);
  if (start >= 0) out.push({ text: cur, col: start + 1 });
  return out;
}

/** Python literal_eval, for the value types that appear in inventories. Anything else stays a string. */
export function iniLiteral(text: string): unknown {
  // Python 3 rejects leading zeros (`0644`), so Ansible keeps such values as strings: good for modes.
  if (/^[-+]?(0|[1-9]\d*)$/.test(text)) return Number(text);
  if (/^[-+]?(\d+\.\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return Number(text);
  if (text === 'True') return true;
  if (text === 'False') return false;
  if (text === 'None') return null;
  if (/^[[{]/.test(text)) {
    try {
      return JSON.parse(text.replace(/'/g, '"').replace(/\bTrue\b/g, 'true').replace(/\bFalse\b/g, 'false').replace(/\bNone\b/g, 'null'));
    } catch {
      return text;
    }
  }
  return text;
}

function unquote(text: string): string {
  const t = text.trim();
  if (t.length >= 2 && (t[0] === '"' || t[0] === "'") && t[t.length - 1] === t[0]) return t.slice(1, -1);
  return t;
}

const SECTION = /^\[([^\]:]+)(?::([^\]]+))?\]\s*(?:[#;].*)?$/;

export function parseIniInventory(file: string, text: string, b: InventoryBuilder): void {
  let section: { group: string; kind: 'hosts' | 'vars' | 'children' } = { group: 'ungrouped', kind: 'hosts' };
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    const indent = raw.length - raw.trimStart().length;
    const pos: SourcePos = { file, line: index + 1, col: indent + 1 };
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    if (line.startsWith('[')) {
      const m = SECTION.exec(line);
      if (!m) {
        b.error(`invalid section header '${line}'`, pos);
        section = { group: '', kind: 'hosts' };
        return;
      }
      const group = m[1].trim();
      const kind = (m[2] ?? 'hosts').trim();
      if (!/^[A-Za-z0-9_.-]+$/.test(group)) b.error(`invalid group name '${group}' (use letters, digits, _ . -)`, { ...pos, col: pos.col + 1 });
      if (kind !== 'hosts' && kind !== 'vars' && kind !== 'children') {
        b.error(`invalid section type ':${kind}' in '[${group}:${kind}]' (expected :vars or :children)`, pos);
        section = { group: '', kind: 'hosts' };
        return;
      }
      section = { group, kind };
      b.group(group, pos);
      return;
    }
    if (section.group === '') return; // inside a section we already reported
    if (section.kind === 'vars') {
      const eq = line.indexOf('=');
      if (eq <= 0) {
        b.error(`expected key=value in [${section.group}:vars], got '${line}'`, pos);
        return;
      }
      const key = line.slice(0, eq).trim();
      b.groupVars(section.group, { [key]: unquote(line.slice(eq + 1)) }, pos);
      return;
    }
    let tokens: Token[];
    try {
      tokens = tokenize(raw);
    } catch (e) {
      b.error(`${(e as Error).message} in '${line}'`, pos);
      return;
    }
    if (tokens.length === 0) return;
    if (section.kind === 'children') {
      if (tokens.length > 1) b.error(`expected one group name per line in [${section.group}:children], got '${line}'`, pos);
      b.addChild(section.group, tokens[0].text, { file, line: index + 1, col: tokens[0].col });
      return;
    }
    const [hostTok, ...varToks] = tokens;
    const hostPos = { file, line: index + 1, col: hostTok.col };
    const vars: Vars = {};
    for (const t of varToks) {
      const eq = t.text.indexOf('=');
      if (eq <= 0) {
        b.error(`expected key=value after host '${hostTok.text}', got '${t.text}'`, { file, line: index + 1, col: t.col });
        continue;
      }
      vars[t.text.slice(0, eq)] = iniLiteral(t.text.slice(eq + 1));
    }
    let name = hostTok.text;
    // `host:port` (but not an IPv6 address, which has several colons)
    const port = /^([^:]+):(\d+)$/.exec(name);
    if (port) {
      name = port[1];
      vars.ansible_port ??= Number(port[2]);
    }
    let names: string[];
    try {
      names = expandHostRange(name);
    } catch (e) {
      b.error((e as Error).message, hostPos);
      return;
    }
    for (const n of names) {
      b.host(n, vars, hostPos);
      b.addHostToGroup(section.group, n, hostPos);
    }
  });
}
