#!/usr/bin/env python3
"""Reference renderer: Ansible 2.14's own Templar, for the differential test of packages/core/src/templating.

Usage: templar.py CASES_FILE  (YAML or JSON; a list of cases, or a mapping with a `cases` list)
Prints one JSON object: {"ansible": VERSION, "jinja2": VERSION, "results": {ID: RESULT}}.

A case: {id, mode, template, vars?, files?}
  mode template:  the template module (action/template.py): do_template on an AnsibleEnvironment copy
                  with trim_blocks on, newline_sequence '\\n', trailing newlines preserved, no backslash
                  escaping, a FileSystemLoader over the case's `files` (for include/import/extends).
  mode value:     a module argument or set_fact value: Templar.template(value) (convert_data, the 2.14
                  non-native eval-concat rules, backslashes escaped inside {{ }}). `template` may be a
                  string, list or mapping.
  mode condition: `when:` / assert's `that`: Conditional.evaluate_conditional, the 2.14 rules, with the
                  warnings it prints.
RESULT: {"ok": true, "output": ENCODED, "warnings": [..]} or {"ok": false, "error": "Type: message"}.
ENCODED keeps the Python types JSON would lose: a float is {"float": repr}, a tuple {"tuple": [..]},
a mapping with non-string keys {"dict": [[k, v], ..]}, any other object {"object": type, "repr": repr}.
Vars are read by Ansible's own YAML loader, as a vars file would be.
"""
import json
import os
import sys
import tempfile

from ansible import __version__ as ansible_version
from ansible.parsing.dataloader import DataLoader
from ansible.parsing.yaml.loader import AnsibleLoader
from ansible.playbook.conditional import Conditional
from ansible.template import AnsibleEnvironment, Templar
from ansible.utils.display import Display
import jinja2

warnings = []
OMIT = '__omit_place_holder__haweb__'


def remove_omit(value, token):
    if isinstance(value, dict):
        return {k: remove_omit(v, token) for k, v in value.items() if v != token}
    if isinstance(value, list):
        return [remove_omit(v, token) for v in value if v != token]
    return value


def capture_warning(self, msg, formatted=False):
    warnings.append(msg)


Display.warning = capture_warning
Display.deprecated = lambda self, msg, *a, **k: warnings.append('[DEPRECATION] ' + msg)


def encode(value):
    if value is None or isinstance(value, (bool, str)):
        return str(value) if isinstance(value, str) else value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return {"float": repr(value)}
    if isinstance(value, tuple):
        return {"tuple": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {str(k): encode(v) for k, v in value.items()}
        return {"dict": [[encode(k), encode(v)] for k, v in value.items()]}
    return {"object": type(value).__name__, "repr": repr(value)}


def render(case, loader):
    variables = dict(case.get('vars') or {})
    mode = case.get('mode', 'template')
    # the executor's omit token (Ansible's own is __omit_place_holder__ and a hash); dropped from mappings
    # the way TaskExecutor drops it from a task's arguments
    variables.setdefault('omit', OMIT)
    templar = Templar(loader=loader, variables=variables)
    if mode == 'template':
        with tempfile.TemporaryDirectory() as folder:
            for name, text in (case.get('files') or {}).items():
                path = os.path.join(folder, name)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, 'w') as f:
                    f.write(text)
            data_templar = templar.copy_with_new_env(environment_class=AnsibleEnvironment, searchpath=[folder],
                                                     newline_sequence='\n', trim_blocks=True, lstrip_blocks=False,
                                                     available_variables=variables)
            return data_templar.do_template(case['template'], preserve_trailing_newlines=True, escape_backslashes=False)
    if mode == 'value':
        return remove_omit(templar.template(case['template']), OMIT)
    if mode == 'condition':
        conditional = Conditional(loader=loader)
        conditional.when = case['template'] if isinstance(case['template'], list) else [case['template']]
        # the executor acts on the truth of the result (a first pass may leave '' or [] instead of False)
        return bool(conditional.evaluate_conditional(templar, variables))
    raise ValueError('unknown mode %r' % mode)


def main():
    with open(sys.argv[1]) as f:
        data = AnsibleLoader(f.read(), file_name=sys.argv[1]).get_single_data()
    cases = data['cases'] if isinstance(data, dict) else data
    loader = DataLoader()
    results = {}
    for case in cases:
        del warnings[:]
        try:
            out = render(case, loader)
            results[case['id']] = {"ok": True, "output": encode(out), "warnings": list(warnings)}
        except Exception as e:  # every refusal is a result: the engine must refuse too
            results[case['id']] = {"ok": False, "error": "%s: %s" % (type(e).__name__, e), "warnings": list(warnings)}
    json.dump({"ansible": ansible_version, "jinja2": jinja2.__version__, "results": results}, sys.stdout)


if __name__ == '__main__':
    main()
