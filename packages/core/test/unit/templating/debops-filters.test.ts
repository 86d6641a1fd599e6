/**
 * DebOps' parse_kv_items and parse_kv_config filters. Each row's expected value is what Ansible's
 * Templar gave for `{{ list | debops.debops.parse_kv_<kind>(more lists, keywords) | to_json }}` on
 * 2026-12-06 (ansible-core 2.14.18, DebOps' collection at commit 65b66ff98481 by
 * ANSIBLE_COLLECTIONS_PATH): merging by name, init/append/ignore/absent states, weights and
 * copy_id_from, merged `options` and `merge_keys`, `empty` and `defaults`, `value` lists and casts.
 */
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../src/templating/index.js';

type Row = [kind: 'items' | 'config', lists: unknown[], keywords: Record<string, unknown>, expected: unknown];

const ROWS: Row[] = [
  ["items", [["a", "b", "a"]], {}, [{"state": "present", "name": "a", "id": 0, "weight": 0, "separator": false, "real_weight": 0}, {"state": "present", "name": "b", "id": 10, "weight": 0, "separator": false, "real_weight": 10}]],
  ["items", [[{"name": "a", "x": 1}, {"name": "b", "state": "absent"}, {"name": "a", "y": 2, "weight": 5}]], {}, [{"state": "present", "name": "a", "id": 0, "weight": 5, "separator": false, "real_weight": 5, "x": 1, "y": 2}, {"state": "absent", "name": "b", "id": 10, "weight": 0, "separator": false, "real_weight": 10}]],
  ["items", [[{"name": "a", "x": 1}], [{"name": "a", "x": 2}, {"name": "c", "state": "ignore"}]], {}, [{"state": "present", "name": "a", "id": 0, "weight": 0, "separator": false, "real_weight": 0, "x": 2}]],
  ["items", [[{"name": "a", "state": "append", "x": 1}, {"name": "b"}, {"name": "b", "state": "append", "z": 3}]], {}, [{"state": "present", "name": "b", "id": 10, "weight": 0, "separator": false, "real_weight": 10, "z": 3}]],
  ["items", [[{"name": "a", "state": "init", "options": [{"name": "o1", "value": 1}]}, {"name": "a", "options": [{"name": "o2", "value": "v"}]}]], {}, [{"state": "present", "name": "a", "id": 0, "weight": 0, "separator": false, "real_weight": 0, "options": [{"state": "present", "name": "o1", "id": 0, "weight": 0, "separator": false, "section": "unknown", "real_weight": 0, "value": 1}, {"state": "present", "name": "o2", "id": 10, "weight": 0, "separator": false, "section": "unknown", "real_weight": 10, "value": "v"}]}]],
  ["items", [[{"name": "a", "options": [{"name": "o1", "value": 1}, {"o3": "x", "o4": [1, 2]}]}, {"name": "a", "options": [{"name": "o1", "value": 2, "weight": -20}]}]], {}, [{"state": "present", "name": "a", "id": 0, "weight": 0, "separator": false, "real_weight": 0, "options": [{"state": "present", "name": "o1", "id": 0, "weight": -20, "separator": false, "section": "unknown", "real_weight": -20, "value": 2}, {"state": "present", "name": "o3", "id": 10, "weight": 0, "separator": false, "section": "unknown", "real_weight": 10, "value": "x"}, {"state": "present", "name": "o4", "id": 20, "weight": 0, "separator": false, "section": "unknown", "real_weight": 20, "value": [{"name": 1, "id": 200, "weight": 0, "state": "present", "real_weight": 200}, {"name": 2, "id": 201, "weight": 0, "state": "present", "real_weight": 201}]}]}]],
  ["items", [[{"key": "k1", "v": 1}, {"key": "k2"}, "k3"]], {"name": "key"}, [{"state": "present", "key": "k1", "id": 0, "weight": 0, "separator": false, "real_weight": 0, "v": 1}, {"state": "present", "key": "k2", "id": 10, "weight": 0, "separator": false, "real_weight": 10}, {"state": "present", "key": "k3", "id": 20, "weight": 0, "separator": false, "real_weight": 20}]],
  ["items", [[{"name": "u1", "group": "g"}, {"name": "u2"}]], {"empty": {"group": ["name"], "home": "name"}, "defaults": {"shell": "/bin/sh", "group": "users"}}, [{"state": "present", "name": "u1", "id": 0, "weight": 0, "separator": false, "real_weight": 0, "shell": "/bin/sh", "group": "g"}, {"state": "present", "name": "u2", "id": 10, "weight": 0, "separator": false, "real_weight": 10, "shell": "/bin/sh", "group": "users"}]],
  ["items", [[{"name": "a", "rules": [{"name": "r1"}]}, {"name": "a", "rules": [{"name": "r2", "copy_id_from": "r1"}]}]], {"merge_keys": ["rules"]}, [{"state": "present", "name": "a", "id": 0, "weight": 0, "separator": false, "real_weight": 0, "rules": [{"state": "present", "name": "r1", "id": 0, "weight": 0, "separator": false, "section": "unknown", "real_weight": 0}, {"state": "present", "name": "r2", "id": 0, "weight": 0, "separator": false, "section": "unknown", "real_weight": 0, "copy_id_from": "r1"}]}]],
  ["items", [[{"name": "a", "separator": true, "comment": "c"}, {"name": "b", "copy_id_from": "a", "weight": 1}]], {}, [{"state": "present", "name": "a", "id": 0, "weight": 0, "separator": true, "real_weight": 0, "comment": "c"}, {"state": "present", "name": "b", "id": 0, "weight": 1, "separator": false, "real_weight": 1, "copy_id_from": "a"}]],
  ["items", [[]], {}, []],
  ["config", [[{"name": "p1", "value": "x"}, {"name": "p1", "value": "5", "value_cast": "int"}, {"p2": "v2", "p3": 3}]], {}, [{"state": "present", "name": "p1", "id": 0, "weight": 0, "separator": false, "section": "unknown", "real_weight": 0, "value": 5, "value_cast": "int"}, {"name": "p2", "state": "present", "id": 20, "weight": 0, "section": "unknown", "real_weight": 20, "value": "v2"}, {"name": "p3", "state": "present", "id": 20, "weight": 0, "section": "unknown", "real_weight": 20, "value": 3}]],
  ["config", [[{"name": "l", "value": ["a", "b", {"name": "c", "weight": 3}, {"param": ["d", "e"], "state": "absent"}]}, {"name": "l", "value": ["f"]}]], {}, [{"state": "present", "name": "l", "id": 0, "weight": 0, "separator": false, "section": "unknown", "real_weight": 0, "value": [{"name": "a", "id": 0, "weight": 0, "state": "present", "real_weight": 0}, {"name": "f", "id": 0, "weight": 0, "state": "present", "real_weight": 0}, {"name": "b", "id": 1, "weight": 0, "state": "present", "real_weight": 1}, {"name": "d", "id": 3, "weight": 0, "state": "absent", "real_weight": 3}, {"name": "e", "id": 3, "weight": 0, "state": "absent", "real_weight": 3}, {"name": "c", "id": 2, "weight": 3, "state": "present", "real_weight": 5}]}]],
  ["config", [[{"name": "s", "section": "main", "option": "o", "comment": "x", "state": "comment"}, "t"]], {}, [{"state": "comment", "name": "s", "id": 0, "weight": 0, "separator": false, "section": "main", "real_weight": 0, "option": "o", "comment": "x"}, {"state": "present", "name": "t", "id": 10, "weight": 0, "separator": false, "section": "unknown", "real_weight": 10}]],
  ["config", [[{"name": "p", "value": 1, "value_cast": "bool"}, {"name": "q", "value": "1.5", "value_cast": "float"}, {"name": "r", "value": 7, "value_cast": "str"}, {"name": "n", "value": 7, "value_cast": "none"}]], {}, [{"state": "present", "name": "p", "id": 0, "weight": 0, "separator": false, "section": "unknown", "real_weight": 0, "value": true, "value_cast": "bool"}, {"state": "present", "name": "q", "id": 10, "weight": 0, "separator": false, "section": "unknown", "real_weight": 10, "value": 1.5, "value_cast": "float"}, {"state": "present", "name": "r", "id": 20, "weight": 0, "separator": false, "section": "unknown", "real_weight": 20, "value": "7", "value_cast": "str"}, {"state": "present", "name": "n", "id": 30, "weight": 0, "separator": false, "section": "unknown", "real_weight": 30, "value": null, "value_cast": "none"}]],
  ["config", [[{"name": "i", "state": "init", "value": 1}, {"name": "i", "state": "append", "value": 2}, {"name": "j", "state": "init"}, {"name": "j", "value": 3}]], {}, [{"state": "init", "name": "i", "id": 0, "weight": 0, "separator": false, "section": "unknown", "real_weight": 0, "value": 1}, {"state": "init", "name": "j", "id": 20, "weight": 0, "separator": false, "section": "unknown", "real_weight": 20, "value": 3}]]
];

describe('debops.debops.parse_kv_items and parse_kv_config: as Ansible with DebOps\' collection', () => {
  it.each(ROWS)('%s %j %j', (kind, lists, keywords, expected) => {
    const more = lists.slice(1).map((_, i) => `, rest[${i}]`).join('');
    const kws = Object.keys(keywords).map((k) => `, ${k}=kw.${k}`).join('');
    const expr = `a | debops.debops.parse_kv_${kind}(${`${more}${kws}`.replace(/^, /, '')})`;
    const got = evaluate(expr, { a: lists[0], rest: lists.slice(1), kw: keywords });
    expect(JSON.parse(JSON.stringify(got))).toEqual(expected);
  });

  it('an entry named by a list fails as in Python (unhashable)', () => {
    expect(() => evaluate("[{'name': ['a']}] | debops.debops.parse_kv_items", {})).toThrow(/unhashable type: 'list'/);
  });
});
