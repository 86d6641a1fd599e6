import { evaluate, evaluateCondition, OMIT, render, renderString } from '../templating/engine.js';
import type { Templater } from './types.js';

/** The executor's Templater over the loader's Jinja2 engine (nunjucks with Ansible's filters and tests). */
export const jinjaTemplater: Templater = {
  render: (template, vars) => renderString(template, vars),
  evaluate: (expression, vars) => evaluate(expression, vars),
  // Ansible's conditional rules live in the templating layer; its warnings ({{ }} in a condition) come back here
  condition: (expression, vars, onWarning) => evaluateCondition(expression, vars, onWarning),
  renderValue: (value, vars) => render(value, vars),
  omit: OMIT,
};
