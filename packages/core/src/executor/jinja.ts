import { evaluate, evaluateCondition, lookupPlugins, OMIT, render, renderMarked, renderString, renderTemplate, renderTemplateLookup } from '../templating/engine.js';
import { isPlainObject } from '../vars/secret.js';
import { LOOKUPS, templateRenderer } from './lookups.js';
import type { Templater } from './types.js';

/** The executor's Templater over the loader's Jinja2 engine (nunjucks with Ansible's filters and tests). */
export const jinjaTemplater: Templater = {
  render: (template, vars) => renderString(template, vars),
  evaluate: (expression, vars) => evaluate(expression, vars),
  // Ansible's conditional rules live in the templating layer; its warnings ({{ }} in a condition) come back here
  condition: (expression, vars, onWarning) => evaluateCondition(expression, vars, onWarning),
  renderValue: (value, vars) => render(value, vars),
  renderValueMarked: (value, vars) => renderMarked(value, vars),
  renderTemplate: (template, vars, load) => renderTemplate(template, vars, load),
  templateLookup: (template, vars, convertData) => renderTemplateLookup(template, vars, convertData),
  omit: OMIT,
};

// The executor's lookups, for lookup()/query() in templates (env and vars stay the engine's own; file
// searches files/ as Ansible does).
for (const [name, plugin] of Object.entries(LOOKUPS)) {
  if (name === 'env') continue;
  lookupPlugins.set(name, (args, vars) => {
    const last = args[args.length - 1];
    const keywords = isPlainObject(last) && last.__keywords === true;
    const terms = keywords ? args.slice(0, -1) : args;
    const { __keywords: _k, ...options } = keywords ? (last as Record<string, unknown>) : {};
    return plugin(terms, options, {
      baseDir: typeof vars.playbook_dir === 'string' ? vars.playbook_dir : process.cwd(),
      roleDir: typeof vars.role_path === 'string' ? vars.role_path : undefined,
      renderTemplate: templateRenderer(jinjaTemplater, vars),
    });
  });
}
