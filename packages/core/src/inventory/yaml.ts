/**
 * Ansible's YAML inventory: top-level keys are groups (usually just `all`); a group may have `hosts`
 * (a mapping of host name to its vars), `vars` and `children` (a mapping of group name to group).
 */
import type { Vars } from '../model.js';
import { describeNode, entries, isMap, posOf, rootOf, toJS, type Node, type YamlSource } from '../playbook/yaml-source.js';
import { didYouMean } from '../validate/suggest.js';
import { isPlainObject } from '../vars/secret.js';
import { expandHostRange, type InventoryBuilder } from './builder.js';

const GROUP_KEYS = ['hosts', 'vars', 'children'];

export function parseYamlInventory(src: YamlSource, b: InventoryBuilder): void {
  const root = rootOf(src);
  if (root === null) return;
  if (!isMap(root)) {
    b.error(`an inventory must be a mapping of groups (like 'all:'), got ${describeNode(root)}`, posOf(src, root));
    return;
  }
  for (const e of entries(root)) group(src, b, e.key, e.value, posOf(src, e.keyNode));
}

function group(src: YamlSource, b: InventoryBuilder, name: string, node: Node | null, pos: ReturnType<typeof posOf>): void {
  b.group(name, pos);
  if (node === null || (!isMap(node) && toJS(src, node) === null)) return;
  if (!isMap(node)) {
    b.error(`group '${name}' must be a mapping with hosts, vars or children, got ${describeNode(node)}`, posOf(src, node));
    return;
  }
  for (const e of entries(node)) {
    const at = posOf(src, e.keyNode);
    if (!GROUP_KEYS.includes(e.key)) {
      b.error(`unknown key '${e.key}' in group '${name}'${didYouMean(e.key, GROUP_KEYS) || ` (expected ${GROUP_KEYS.join(', ')})`}`, at);
      continue;
    }
    if (e.value === null || toJS(src, e.value) === null) continue;
    if (!isMap(e.value)) {
      b.error(`'${e.key}' of group '${name}' must be a mapping, got ${describeNode(e.value)}`, posOf(src, e.value));
      continue;
    }
    if (e.key === 'vars') {
      b.groupVars(name, toJS(src, e.value) as Vars, at);
    } else if (e.key === 'children') {
      for (const c of entries(e.value)) {
        const cpos = posOf(src, c.keyNode);
        b.addChild(name, c.key, cpos);
        group(src, b, c.key, c.value, cpos);
      }
    } else {
      for (const h of entries(e.value)) {
        const hpos = posOf(src, h.keyNode);
        const vars = h.value === null ? {} : toJS(src, h.value);
        if (vars !== null && !isPlainObject(vars)) {
          b.error(`host '${h.key}' must map to its variables (a mapping) or nothing, got ${describeNode(h.value)}`, posOf(src, h.value));
          continue;
        }
        let names: string[];
        try {
          names = expandHostRange(h.key);
        } catch (err) {
          b.error((err as Error).message, hpos);
          continue;
        }
        for (const n of names) {
          b.host(n, (vars ?? {}) as Vars, hpos);
          b.addHostToGroup(name, n, hpos);
        }
      }
    }
  }
}
