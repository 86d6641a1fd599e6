import type { ModuleDefinition } from '../contract/module.js';
import type { Vars } from '../model.js';

/** Free-form strings go under the module's freeFormKey; `k=v` strings become mappings; omit is dropped. */
export function shapeArgs(rendered: unknown, module: ModuleDefinition, omit: string | undefined): unknown {
  let args = rendered;
  if (typeof args === 'string') {
    if (module.freeFormKey) args = { [module.freeFormKey]: args };
    else args = parseKeyValues(args);
  } else if (args === null || args === undefined) args = {};
  if (omit !== undefined && args && typeof args === 'object' && !Array.isArray(args)) {
    args = Object.fromEntries(Object.entries(args as Vars).filter(([, v]) => v !== omit));
  }
  return args;
}

/** `path=/x state=touch mode="0644"` → mapping, for modules written in Ansible's old k=v style. */
export function parseKeyValues(text: string): Vars {
  const out: Vars = {};
  const re = /([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S+)/g;
  let rest = text;
  for (const m of text.matchAll(re)) {
    let v = m[2];
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    out[m[1]] = v;
    rest = rest.replace(m[0], '');
  }
  if (rest.trim()) out._raw_params = rest.trim();
  return out;
}
