#!/usr/bin/env python3
"""Extract template cases from external suites, for scripts/compat/templating-external.mjs.

Reads git mirrors (bare repositories, as the search tool's fetch leaves them) and writes one JSON cases
file per suite into OUT_DIR. Nothing extracted is kept in this repository: the files go to OUT_DIR only.

  templating_external_cases.py OUT_DIR --jinja MIRROR[@REV] --ansible MIRROR[@REV] --role MIRROR[@REV] ...

- jinja:   tests/*.py of pallets/jinja: every `X.from_string("literal")` whose `.render(...)` call has
           literal arguments becomes a template case (the literal arguments are its vars).
- ansible: test/integration/targets/<target>/ of ansible/ansible for the templating, filter and test
           targets: templates/*.j2 (template cases, with the target's defaults/vars files) and every
           string of an assert task's `that:` (condition cases, with the same vars).
- role:    templates/**/*.j2 of a role, with its defaults/main.yml and vars/Debian.yml resolved by
           Ansible's Templar first (so both engines see the same plain vars), plus a few Debian facts.
"""
import ast
import json
import os
import subprocess
import sys

import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

TARGETS = ['templating', 'template', 'template_jinja2_non_native', 'jinja2_native_types', 'filter_core',
           'filter_mathstuff', 'filter_urls', 'filter_urlsplit', 'test_core', 'test_files', 'groupby_filter',
           'conditionals', 'var_templating', 'templating_settings', 'lookup_template']

FACTS = {
    'inventory_hostname': 'web1', 'inventory_hostname_short': 'web1', 'ansible_hostname': 'web1',
    'ansible_fqdn': 'web1.example.com', 'ansible_nodename': 'web1', 'ansible_os_family': 'Debian',
    'ansible_distribution': 'Debian', 'ansible_distribution_major_version': '12',
    'ansible_distribution_version': '12.4', 'ansible_distribution_release': 'bookworm',
    'ansible_processor_vcpus': 2, 'ansible_processor_cores': 2, 'ansible_processor_count': 1,
    'ansible_memtotal_mb': 3936, 'ansible_architecture': 'x86_64', 'ansible_managed': 'Ansible managed',
    'ansible_default_ipv4': {'address': '192.0.2.10', 'interface': 'eth0'}, 'ansible_env': {'HOME': '/root'},
    'ansible_python': {'version': {'major': 3, 'minor': 11}}, 'ansible_service_mgr': 'systemd',
    'ansible_user_id': 'root', 'group_names': ['web'], 'groups': {'all': ['web1'], 'web': ['web1']},
    'play_hosts': ['web1'], 'ansible_play_hosts': ['web1'], 'ansible_check_mode': False,
}
# the same facts under ansible_facts, without the prefix, as gathered facts also appear
FACTS['ansible_facts'] = {k[len('ansible_'):]: v for k, v in FACTS.items() if k.startswith('ansible_')}


def git(mirror, *args):
    return subprocess.run(['git', '--git-dir', mirror] + list(args), check=True, capture_output=True).stdout


def split_rev(spec):
    mirror, _, rev = spec.partition('@')
    return mirror, rev or 'HEAD'


def files(mirror, rev, prefix):
    out = git(mirror, 'ls-tree', '-r', '--name-only', rev, '--', prefix).decode().splitlines()
    return out


def show(mirror, rev, path):
    return git(mirror, 'show', '%s:%s' % (rev, path)).decode('utf-8', 'replace')


def literal(node):
    return ast.literal_eval(node)


def jsonable(value):
    try:
        json.dumps(value)
        return True
    except (TypeError, ValueError):
        return False


def jinja_cases(spec):
    mirror, rev = split_rev(spec)
    cases = []
    skipped = 0
    for path in files(mirror, rev, 'tests'):
        if not path.endswith('.py') or 'async' in path:
            continue
        tree = ast.parse(show(mirror, rev, path))
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef):
                continue
            templates = {}
            n = 0
            for node in ast.walk(fn):
                if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and getattr(node.value.func, 'attr', '') == 'from_string' \
                        and node.value.args and isinstance(node.value.args[0], ast.Constant) and isinstance(node.value.args[0].value, str):
                    for t in node.targets:
                        if isinstance(t, ast.Name):
                            templates[t.id] = node.value.args[0].value
            for node in ast.walk(fn):
                if not (isinstance(node, ast.Call) and getattr(node.func, 'attr', '') == 'render'):
                    continue
                owner = node.func.value
                if isinstance(owner, ast.Name) and owner.id in templates:
                    source = templates[owner.id]
                elif isinstance(owner, ast.Call) and getattr(owner.func, 'attr', '') == 'from_string' and owner.args \
                        and isinstance(owner.args[0], ast.Constant) and isinstance(owner.args[0].value, str):
                    source = owner.args[0].value
                else:
                    continue
                try:
                    variables = {}
                    for a in node.args:
                        variables.update(literal(a))
                    for k in node.keywords:
                        if k.arg is None:
                            variables.update(literal(k.value))
                        else:
                            variables[k.arg] = literal(k.value)
                except (ValueError, SyntaxError, TypeError):
                    skipped += 1
                    continue
                if not jsonable(variables):
                    skipped += 1
                    continue
                n += 1
                cases.append({'id': '%s:%d:%s:%d' % (path, node.lineno, fn.name, n), 'mode': 'template', 'template': source, 'vars': variables})
    seen = set()
    unique = []
    for c in cases:
        key = json.dumps([c['template'], c['vars']], sort_keys=True)
        if key not in seen:
            seen.add(key)
            unique.append(c)
    return unique, skipped


def load_yaml(text):
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def target_vars(mirror, rev, target):
    out = {}
    for sub in ('defaults/main.yml', 'vars/main.yml'):
        path = 'test/integration/targets/%s/%s' % (target, sub)
        try:
            data = load_yaml(show(mirror, rev, path))
        except subprocess.CalledProcessError:
            continue
        if isinstance(data, dict):
            out.update(data)
    return out


def resolve(variables):
    """Resolve templated var values with Ansible's Templar, dropping those it cannot render."""
    templar = Templar(loader=DataLoader(), variables=variables)
    out = {}
    for k, v in variables.items():
        try:
            r = templar.template(v)
            if jsonable(r):
                out[k] = r
        except Exception:
            pass
    return out


def asserts(tasks):
    found = []
    if isinstance(tasks, list):
        for t in tasks:
            if isinstance(t, dict):
                for key in ('assert', 'ansible.builtin.assert'):
                    a = t.get(key)
                    if isinstance(a, dict):
                        that = a.get('that')
                        found.extend(that if isinstance(that, list) else [that])
                for key in ('block', 'rescue', 'always'):
                    found.extend(asserts(t.get(key)))
    return [x for x in found if isinstance(x, str)]


def ansible_cases(spec):
    mirror, rev = split_rev(spec)
    cases = []
    for target in TARGETS:
        prefix = 'test/integration/targets/%s/' % target
        paths = files(mirror, rev, prefix)
        variables = resolve(dict(FACTS, **target_vars(mirror, rev, target)))
        templates = {p[len(prefix) + len('templates/'):]: show(mirror, rev, p) for p in paths if p[len(prefix):].startswith('templates/')}
        for path in paths:
            rel = path[len(prefix):]
            if rel.startswith('templates/') and path.endswith('.j2'):
                cases.append({'id': path, 'mode': 'template', 'template': show(mirror, rev, path), 'vars': variables, 'files': templates})
            elif rel.startswith('tasks/') and path.endswith(('.yml', '.yaml')):
                for i, that in enumerate(asserts(load_yaml(show(mirror, rev, path)))):
                    cases.append({'id': '%s:that:%d' % (path, i + 1), 'mode': 'condition', 'template': that, 'vars': variables})
    return cases


def templated(value):
    return '{{' in json.dumps(value) or '{%' in json.dumps(value)


def role_cases(spec):
    mirror, rev = split_rev(spec)
    name = os.path.basename(os.path.dirname(mirror.rstrip('/'))) if mirror.rstrip('/').endswith('repo') else os.path.basename(mirror)
    variables = dict(FACTS)
    for sub in ('defaults/main.yml', 'vars/Debian.yml', 'vars/main.yml'):
        try:
            data = load_yaml(show(mirror, rev, sub))
        except subprocess.CalledProcessError:
            continue
        if isinstance(data, dict):
            variables.update(data)
    # geerlingguy's pattern: vars/<OS>.yml gives __name, a setup task sets name from it when undefined
    for k in list(variables):
        if k.startswith('__') and k[2:] not in variables:
            variables[k[2:]] = variables[k]
    for _ in range(3):  # defaults that refer to other defaults
        variables = dict(variables, **resolve(variables))
    # only values Ansible could resolve, so both engines see the same plain data
    variables = {k: v for k, v in variables.items() if jsonable(v) and not templated(v)}
    paths = files(mirror, rev, 'templates')
    templates = {p[len('templates/'):]: show(mirror, rev, p) for p in paths}
    cases = []
    for path in paths:
        if path.endswith('.j2'):
            cases.append({'id': '%s:%s' % (name, path), 'mode': 'template', 'template': templates[path[len('templates/'):]], 'vars': variables, 'files': templates})
    return cases


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    args = sys.argv[2:]
    suites = {'jinja': [], 'ansible': [], 'roles': []}
    notes = {}
    for flag, spec in zip(args[::2], args[1::2]):
        if flag == '--jinja':
            cases, skipped = jinja_cases(spec)
            suites['jinja'] += cases
            notes['jinja_skipped_nonliteral_renders'] = skipped
        elif flag == '--ansible':
            suites['ansible'] += ansible_cases(spec)
        elif flag == '--role':
            suites['roles'] += role_cases(spec)
        else:
            raise SystemExit('unknown option %s' % flag)
    for name, cases in suites.items():
        if cases:
            with open(os.path.join(out_dir, '%s.json' % name), 'w') as f:
                json.dump(cases, f)
    json.dump({'suites': {k: len(v) for k, v in suites.items()}, 'notes': notes}, sys.stdout)


if __name__ == '__main__':
    main()
