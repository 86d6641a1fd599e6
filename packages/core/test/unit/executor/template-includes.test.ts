/** The template module's includes: Ansible's template search path, and renders through the loader. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { templateLoader, templateSearchPath } from '../../../src/executor/context.js';
import { renderTemplate } from '../../../src/templating/engine.js';

const role = { name: 'web', path: '/pb/roles/web', defaults: {}, vars: {} } as never;

describe('template search path (action/template.py: ansible_search_path, the playbook folder, the template folder)', () => {
  it.each([
    [['/pb/templates/a.j2', '/pb', undefined, '/pb/site.yml'], ['/pb/templates', '/pb', '/pb/templates', '/pb', '/pb/templates/templates', '/pb/templates']],
    [
      ['/pb/roles/web/templates/a.j2', '/pb', role, '/pb/roles/web/tasks/main.yml'],
      ['/pb/roles/web/templates', '/pb/roles/web', '/pb/roles/web/tasks/templates', '/pb/roles/web/tasks', '/pb/templates', '/pb', '/pb/roles/web/templates/templates', '/pb/roles/web/templates'],
    ],
  ])('%j', (args, expected) => {
    const [path, baseDir, r, taskFile] = args as [string, string, never, string | undefined];
    expect(templateSearchPath(path, baseDir, r, taskFile)).toEqual(expected);
  });
});

describe('includes and imports through the loader', () => {
  const root = mkdtempSync(join(tmpdir(), 'haweb-tplinc-'));
  mkdirSync(join(root, 'templates/sub'), { recursive: true });
  mkdirSync(join(root, 'own'), { recursive: true });
  writeFileSync(join(root, 'templates/sub/item.j2'), 'item {{ i }}\n');
  writeFileSync(join(root, 'own/m.j2'), '{% macro hi(n) -%}\nhi {{ n }}\n{%- endmacro %}\n');
  const load = templateLoader(templateSearchPath(join(root, 'own/main.j2'), root));

  it.each([
    // [template, expected]: outputs as Ansible's Templar gives them (trim_blocks on, the final newline kept).
    // Jinja2 drops an included file's final newline, and trim_blocks the one after `{% include %}`.
    ['{% for i in [1, 2] %}\n{% include "sub/item.j2" %}\n{% endfor %}\nend\n', 'item 1item 2end\n'],
    ['{% import "m.j2" as m %}\n{{ m.hi("x") }}\n', 'hi x\n'],
    ['{% from "m.j2" import hi %}\n{{ hi("y") }}\n', 'hi y\n'],
    ['a\n{% include "missing.j2" ignore missing %}\nb\n', 'a\nb\n'],
  ])('%j', (source, expected) => {
    expect(renderTemplate(source, {}, load)).toBe(expected);
  });

  it('a missing include fails, naming it and where it was looked for', () => {
    expect(() => renderTemplate('{% include "nope.j2" %}\n', {}, load)).toThrow(/template not found: 'nope.j2' \(searched .*templates/);
  });

  it('extends is refused with its line, not rendered differently', () => {
    expect(() => renderTemplate('x\n{% extends "base.j2" %}\n', {}, load)).toThrow(/extends .base\.j2.*template inheritance is not supported.*template line 2/);
  });
});
