import type { Vars } from '../model.js';
import { pyTruthy } from '../templating/python.js';
import type { Templater } from './types.js';

/**
 * The one truthiness rule of conditions, Ansible's reading of a conditional's value: booleans as
 * they are; a string that is a boolean word ("no", "false", "off", "0", "", "none", "yes", "true",
 * ...) as that word, as Ansible reads `when: var` whose value is such a string; anything else by
 * Python's bool(). `when`, `changed_when`, `failed_when` and `meta: end_host`'s condition all go
 * through it (typed keywords use asBoolean below).
 */
export function truthy(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const s = value.trim().toLowerCase();
    if (FALSE_WORDS.has(s)) return false;
    if (TRUE_WORDS.has(s)) return true;
    return s.length > 0;
  }
  if (value === undefined) return false;
  return pyTruthy(value);
}

const FALSE_WORDS = new Set(['false', 'no', 'off', 'n', 'f', '0', '', 'none', 'null']);
const TRUE_WORDS = new Set(['true', 'yes', 'on', 'y', 't', '1']);

export function conditionText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Cuts `{{ }}` around a condition: Ansible accepts `when: "{{ x }}"` with a warning; we accept it. */
export function bareExpression(condition: unknown): string {
  const text = conditionText(condition).trim();
  const m = /^\{\{([\s\S]*)\}\}$/.exec(text);
  return m ? m[1] : text;
}

/** One condition, evaluated with a host's variables (the templater's own rule when it has one). */
export function conditionHolds(templater: Templater, condition: unknown, vars: Vars, onWarning?: (message: string) => void): boolean {
  if (typeof condition === 'boolean') return condition;
  if (templater.condition) return templater.condition(conditionText(condition), vars, onWarning);
  return truthy(templater.evaluate(bareExpression(condition), vars));
}

/** Every condition of a list must hold (Ansible's list form is an AND); names the first that does not. */
export function allConditionsHold(
  templater: Templater,
  conditions: readonly unknown[],
  vars: Vars,
  onWarning?: (message: string) => void,
): { ok: boolean; failedOn?: string } {
  for (const c of conditions) {
    if (!conditionHolds(templater, c, vars, onWarning)) return { ok: false, failedOn: conditionText(c) };
  }
  return { ok: true };
}

/**
 * Ansible's reading of a typed boolean (a keyword such as `ignore_errors: "{{ x }}"` once rendered, or
 * a boolean connection variable such as ansible_become): true only for true, 1 and the words yes, on,
 * true, y, t, 1; anything else is false. It differs from a condition on purpose, as in Ansible: a
 * keyword rendered to "maybe" is false, a condition on "maybe" holds.
 */
export function asBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1;
  if (typeof value === 'string') return TRUE_WORDS.has(value.trim().toLowerCase());
  return false;
}
