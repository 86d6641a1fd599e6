/**
 * Reading YAML with positions. Every file is parsed with yaml's Document API and a LineCounter, so any
 * node can be turned into file:line:col for messages. The schema is YAML 1.1 as PyYAML reads it (what
 * Ansible users write: `become: yes`, `gather_facts: no`, merge keys `<<:`), with two deliberate changes:
 *  - an unquoted octal-looking number (`mode: 0644`) stays the string "0644", so modules get the octal
 *    the author meant rather than the integer 420 or 644;
 *  - `y`/`n` are strings (PyYAML does not read them as booleans), dates stay strings.
 * The `!unsafe` tag (Ansible's) makes a scalar an UnsafeString, never templated.
 * The `!secret` tag wraps a scalar in SecretString (masked in every output). Ansible Vault data is
 * decrypted with the run's vault keyring (core/src/vault): a `!vault` scalar becomes a SecretString of
 * its plaintext, and a whole vault-encrypted file is decrypted before it is parsed (`vaulted` is set).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import {
  type Alias,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Document,
  type Node,
  type Pair,
  type ScalarTag,
  type Tags,
  type YAMLMap,
} from 'yaml';
import type { Diagnostic, SourcePos } from '../model.js';
import { SecretString } from '../vars/secret.js';
import { UnsafeString } from '../vars/unsafe.js';
import { isVaultText } from '../vault/format.js';
import { vaultKeyring } from '../vault/keyring.js';

const secretTag: ScalarTag = {
  tag: '!secret',
  identify: (v) => v instanceof SecretString,
  resolve: (str) => new SecretString(str),
  stringify: (item) => String((item.value as SecretString).value),
};

/** Ansible's `!unsafe`: a string that is never templated (vars/unsafe.ts). */
const unsafeTag: ScalarTag = {
  tag: '!unsafe',
  identify: (v) => v instanceof UnsafeString,
  resolve: (str) => new UnsafeString(str),
  stringify: (item) => String((item.value as UnsafeString).value),
};

const VAULT_VALUE = '!vault value';

/** An Ansible Vault value: its plaintext, as a secret. A value that cannot be opened is an error at its position. */
const vaultTag: ScalarTag = {
  tag: '!vault',
  identify: () => false,
  resolve: (str, onError) => {
    try {
      return new SecretString(vaultKeyring().decrypt(str, VAULT_VALUE).toString('utf8'));
    } catch (e) {
      onError((e as Error).message);
      return str;
    }
  },
};

const octalAsString: ScalarTag = {
  tag: 'tag:yaml.org,2002:int',
  format: 'OCT',
  default: true,
  test: /^0[0-7]+$/,
  resolve: (str) => str as unknown as number,
};

const ansibleTags = (tags: Tags): Tags => {
  const kept = tags.filter((t) => {
    const tag = t as ScalarTag;
    if (tag.tag === 'tag:yaml.org,2002:timestamp') return false;
    return !(tag.tag === 'tag:yaml.org,2002:bool');
  });
  const bool = (test: RegExp, value: boolean): ScalarTag => ({
    tag: 'tag:yaml.org,2002:bool',
    default: true,
    test,
    resolve: () => value,
    stringify: ({ value: v }) => (v ? 'true' : 'false'),
  });
  return [
    secretTag,
    unsafeTag,
    vaultTag,
    octalAsString,
    bool(/^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/, true),
    bool(/^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/, false),
    ...kept,
  ];
};

export interface YamlSource {
  file: string;
  /** One or more documents (playbooks and inventories use the first). */
  docs: Document.Parsed[];
  lineCounter: LineCounter;
  /** The file's text. */
  text: string;
  /** Syntax errors, already as diagnostics with positions. */
  diagnostics: Diagnostic[];
  /** The file was vault-encrypted as a whole (`text` is its plaintext): its values are secrets. */
  vaulted?: boolean;
}

export const YAML_OPTIONS = { version: '1.1' as const, merge: true, customTags: ansibleTags, prettyErrors: true };

/** Did parsing fail (errors, not mere warnings)? */
export function hasErrors(src: YamlSource): boolean {
  return src.diagnostics.some((d) => d.severity === 'error');
}

export function parseYaml(file: string, text: string): YamlSource {
  if (isVaultText(text)) {
    let plaintext: string;
    try {
      plaintext = vaultKeyring().decrypt(text, file).toString('utf8');
    } catch (e) {
      return { file, docs: [], lineCounter: new LineCounter(), text: '', diagnostics: [{ severity: 'error', message: (e as Error).message, pos: { file, line: 1, col: 1 } }] };
    }
    return { ...parseYaml(file, plaintext), vaulted: true };
  }
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { ...YAML_OPTIONS, lineCounter });
  const docs = Array.isArray(parsed) ? parsed : [];
  const diagnostics: Diagnostic[] = [];
  for (const doc of docs) {
    for (const err of [...doc.errors, ...doc.warnings]) {
      const lp = err.linePos?.[0];
      diagnostics.push({
        severity: err.name === 'YAMLWarning' ? 'warning' : 'error',
        // A !vault value that cannot be opened is not a syntax error: its message stands alone.
        message: `${err.message.startsWith(VAULT_VALUE) ? '' : 'YAML syntax: '}${err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`,
        pos: { file, line: lp?.line ?? 1, col: lp?.col ?? 1 },
      });
    }
  }
  for (const doc of docs) {
    const refused = resolveAliases(doc);
    if (refused) diagnostics.push({ severity: 'error', message: `YAML syntax: ${refused.message}`, pos: { file, ...lineCounter.linePos(refused.at) } });
  }
  return { file, docs, lineCounter, text, diagnostics };
}

/** How many nodes a document may stand for once every alias is counted as a copy (PyYAML has no limit; a few aliases of aliases reach billions). */
const MAX_EXPANDED_NODES = 1_000_000;

/**
 * Every alias (`*name`) replaced by the node its anchor names, as PyYAML hands Ansible the same object
 * twice: the playbook reader then sees a mapping where a task wrote `iptables: *rule`, not an alias. The
 * shared node keeps the anchor's position, so an error in it is reported where it is written. A cycle
 * (an alias inside its own anchor) or a document that would stand for more than MAX_EXPANDED_NODES
 * nodes is left as it is and refused, said where.
 */
function resolveAliases(doc: Document.Parsed): { message: string; at: number } | undefined {
  const aliases: { alias: Alias; target: Node }[] = [];
  const size = new Map<Node, number>();
  const onPath = new Set<Node>();
  let refused: { message: string; at: number } | undefined;
  const measure = (node: unknown): number => {
    if (refused || !node || typeof node !== 'object') return 0;
    if (isAlias(node)) {
      const target = node.resolve(doc) as Node | undefined;
      if (!target) return 1;
      if (onPath.has(target)) {
        refused = { message: `alias *${node.source} refers to a node that contains it`, at: node.range?.[0] ?? 0 };
        return 0;
      }
      aliases.push({ alias: node, target });
      return measure(target);
    }
    const known = size.get(node as Node);
    if (known !== undefined) return known;
    let n = 1;
    onPath.add(node as Node);
    if (isMap(node) || isSeq(node)) {
      for (const item of node.items as unknown[]) {
        if (isPair(item)) n += measure(item.key) + measure(item.value);
        else n += measure(item);
      }
    }
    onPath.delete(node as Node);
    size.set(node as Node, n);
    return n;
  };
  const total = measure(doc.contents);
  if (refused) return refused;
  if (aliases.length === 0) return undefined;
  if (total > MAX_EXPANDED_NODES) {
    return { message: `its aliases stand for ${total} nodes, more than ${MAX_EXPANDED_NODES}: refused`, at: aliases[0].alias.range?.[0] ?? 0 };
  }
  const replace = (node: unknown): unknown => (isAlias(node) ? (node.resolve(doc) ?? node) : node);
  const seen = new Set<Node>();
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object' || isAlias(node) || seen.has(node as Node)) return;
    seen.add(node as Node);
    if (isMap(node) || isSeq(node)) {
      const items = node.items as unknown[];
      for (let i = 0; i < items.length; i++) {
        const item = items[i];
        if (isPair(item)) {
          item.value = replace(item.value);
          walk(item.key);
          walk(item.value);
        } else {
          items[i] = replace(item);
          walk(items[i]);
        }
      }
    }
  };
  doc.contents = replace(doc.contents) as typeof doc.contents;
  walk(doc.contents);
  return undefined;
}

/** How a path appears in messages: relative to the working directory when below it, else absolute. */
export function displayPath(file: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(process.cwd(), file);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}

/** Read and parse a YAML file; a missing or unreadable file becomes a diagnostic at `from`. */
export function readYaml(path: string, from?: SourcePos, what = 'file'): YamlSource {
  const file = displayPath(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return {
      file,
      docs: [],
      lineCounter: new LineCounter(),
      text: '',
      diagnostics: [{ severity: 'error', message: `cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, pos: from }],
    };
  }
  return parseYaml(file, text);
}

/** Position of a node (its first character), or of the file's start. */
export function posOf(src: YamlSource, node: Node | Pair | null | undefined): SourcePos {
  const range = node && (isPair(node) ? (node.key as Node | null)?.range : (node as Node).range);
  if (!range) return { file: src.file, line: 1, col: 1 };
  const { line, col } = src.lineCounter.linePos(range[0]);
  return { file: src.file, line, col };
}

/** Position of the character `offset` characters into a node's source text. */
export function posAt(src: YamlSource, node: Node, offset: number): SourcePos {
  const start = node.range?.[0] ?? 0;
  const { line, col } = src.lineCounter.linePos(start + offset);
  return { file: src.file, line, col };
}

export function rootOf(src: YamlSource): Node | null {
  return (src.docs[0]?.contents as Node | null | undefined) ?? null;
}

/** The JavaScript value of a node (anchors and merge keys resolved). */
export function toJS(src: YamlSource, node: Node | null | undefined): unknown {
  if (!node) return null;
  const doc = src.docs[0];
  return node.toJS(doc, { maxAliasCount: 1000 });
}

/** A map's entries with their key names and nodes. Non-string keys are stringified. */
export function entries(map: YAMLMap): { key: string; keyNode: Node; value: Node | null; pair: Pair }[] {
  return map.items.map((pair) => {
    const keyNode = pair.key as Node;
    const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
    return { key, keyNode, value: (pair.value as Node | null) ?? null, pair };
  });
}

export function describeNode(node: Node | null): string {
  if (node === null) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'null';
    if (typeof v === 'string' || v instanceof SecretString || v instanceof UnsafeString) return 'a string';
    if (typeof v === 'number') return 'a number';
    if (typeof v === 'boolean') return 'a boolean';
  }
  return 'a value';
}

export { isMap, isSeq, isScalar };
export type { Node, YAMLMap };
