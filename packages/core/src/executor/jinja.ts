import { evaluate, evaluateCondition, OMIT, render, renderString } from '../templating/engine.js';
import type { Templater } from './types.js';

/** The executor's Templater over the loader's Jinja2 engine (nunjucks with Ansible's filters and tests). */
export const jinjaTemplater: Templater = {
  render: (template, vars) => renderString(template, vars),
  evaluate: (expression, vars) => evaluate(expression, vars),
  condition: (expression, vars) => evaluateCondition(expression, vars),
  renderValue: (value, vars) => render(value, vars),
  omit: OMIT,
};
