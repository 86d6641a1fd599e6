import type { Vars } from '../model.js';
import type { Templater } from './types.js';
import { containsUnsafe, UnsafeString, unwrapUnsafe } from '../vars/unsafe.js';
import { markNativeText } from '../templating/native-text.js';

/** True when a string holds Jinja2 markup that must be rendered. */
export function isTemplated(value: unknown): value is string {
  return typeof value === 'string' && (value.includes('{{') || value.includes('{%'));
}

/** `"{{ expr }}"` alone: evaluated to a native value (a list stays a list), as Ansible does. */
const WHOLE_EXPRESSION = /^\s*\{\{((?:(?!\}\})[\s\S])*)\}\}\s*$/;

/**
 * Render a value for a host: strings with markup are rendered, a lone `{{ expr }}` keeps its native
 * type, lists and mappings are walked. Other values pass through.
 */
export function renderValue(templater: Templater, value: unknown, vars: Vars): unknown {
  if (templater.renderValue) return templater.renderValue(value, vars);
  if (value instanceof UnsafeString) return value.value;
  if (typeof value === 'string') {
    if (!isTemplated(value)) return value;
    const whole = WHOLE_EXPRESSION.exec(value);
    if (whole && !whole[1].includes('{{')) {
      const v = templater.evaluate(whole[1], vars);
      return v;
    }
    return templater.render(value, vars);
  }
  if (Array.isArray(value)) return value.map((v) => renderValue(templater, v, vars));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Vars = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderValue(templater, v, vars);
    return out;
  }
  return value;
}

function containsTemplate(value: unknown, depth = 0): boolean {
  if (depth > 20) return false;
  if (isTemplated(value)) return true;
  if (Array.isArray(value)) return value.some((v) => containsTemplate(v, depth + 1));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.values(value).some((v) => containsTemplate(v, depth + 1));
  }
  return false;
}

/** A variable layer: later layers override earlier ones key by key (Ansible's `hash_behaviour=replace`). */
export interface VarLayer {
  vars: Vars;
  /** Values written by users (inventory, play, vars_files, -e) are templated; facts and results are data. */
  templated: boolean;
}

/** Thrown when a variable's own template fails: names the variable. */
export class VariableError extends Error {
  constructor(readonly variable: string, cause: string) {
    super(`variable "${variable}": ${cause}`);
    this.name = 'VariableError';
  }
}

/** Names a template may refer to (over-approximated: filters and attributes are harmless extras). */
function referencedNames(value: unknown, out = new Set<string>(), depth = 0): Set<string> {
  if (depth > 20) return out;
  if (typeof value === 'string') {
    for (const m of value.matchAll(/\{\{([\s\S]*?)\}\}|\{%([\s\S]*?)%\}/g)) {
      for (const id of (m[1] ?? m[2]).matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) out.add(id[0]);
    }
  } else if (Array.isArray(value)) value.forEach((v) => referencedNames(v, out, depth + 1));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => referencedNames(v, out, depth + 1));
  return out;
}

/**
 * Merge layers and render templated values. Ansible templates variables lazily; we resolve them
 * eagerly per task, each after the variables it refers to. A variable whose template fails is left
 * out and its error kept, so a template that uses it can say why.
 * `!unsafe` values (UnsafeString) are never rendered: they become their text, and a variable that
 * holds one or whose template reads one is rendered once only, never again on its result (Ansible
 * marks such a result unsafe).
 */
export function resolveVars(templater: Templater, layers: VarLayer[]): { vars: Vars; errors: Map<string, string> } {
  const vars: Vars = {};
  const pending = new Set<string>();
  const unsafe = new Set<string>();
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer.vars)) {
      const holdsUnsafe = containsUnsafe(v);
      if (holdsUnsafe) unsafe.add(k);
      else unsafe.delete(k);
      if (layer.templated && containsTemplate(v)) {
        vars[k] = v;
        pending.add(k);
      } else {
        vars[k] = holdsUnsafe ? unwrapUnsafe(v) : v;
        pending.delete(k);
      }
    }
  }
  const errors = new Map<string, string>();
  if (pending.size === 0) return { vars, errors };
  const raw = { ...vars };
  for (const key of pending) delete vars[key];
  const stack = new Set<string>();
  const resolve = (key: string): void => {
    if (!pending.has(key) || stack.has(key)) return;
    stack.add(key);
    const refs = referencedNames(raw[key]);
    for (const ref of refs) if (ref !== key) resolve(ref);
    stack.delete(key);
    if (!pending.has(key)) return;
    pending.delete(key);
    if ([...refs].some((ref) => ref !== key && unsafe.has(ref))) unsafe.add(key);
    // the NativeJinjaText class of the text made last (Ansible would keep it on the object: native-text.ts)
    let cls: string | undefined;
    const once = (v: unknown): unknown => {
      if (!templater.renderValueMarked) return renderValue(templater, v, vars);
      const r = templater.renderValueMarked(v, vars);
      cls = r.nativeClass || undefined;
      return r.value;
    };
    try {
      let value = once(raw[key]);
      // A value that renders to more markup (a reference to a templated string) is rendered again,
      // unless that markup came from an `!unsafe` value.
      if (unsafe.has(key)) {
        vars[key] = value;
        return;
      }
      for (let i = 0; i < 5 && containsTemplate(value); i++) value = once(value);
      if (containsTemplate(value)) throw new Error('recursive template (the variable refers to itself)');
      vars[key] = value;
      markNativeText(vars, key, value, cls);
    } catch (err) {
      errors.set(key, (err as Error).message);
    }
  };
  for (const key of [...pending]) resolve(key);
  return { vars, errors };
}
