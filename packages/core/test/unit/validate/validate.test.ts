import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareRun, validateRun } from '../../../src/validate/index.js';
import { readPlaybook } from '../../../src/playbook/load.js';
import { readInventory } from '../../../src/inventory/load.js';
import { formatDiagnostic } from '../../../src/model.js';
import { testRegistry } from '../../fixtures/registry.js';

const DIR = join(__dirname, '../../fixtures/play/bad/validate');
const INVENTORY = join(__dirname, '../../fixtures/inventory/ini/hosts');
const rel = relative(process.cwd(), DIR);

function lines(diags: Parameters<typeof formatDiagnostic>[0][]): string[] {
  return diags.map(formatDiagnostic).map((l) => l.split(rel + '/').join(''));
}

describe('validateRun (golden)', () => {
  const registry = testRegistry();
  const run = prepareRun({ playbook: join(DIR, 'site.yml'), inventory: INVENTORY, registry });

  it('reports every problem of the run, with file:line:col', () => {
    expect(lines(run.diagnostics)).toEqual([
      "site.yml:2:10: error: host pattern 'webz' (in 'lb:webz') matches no host or group, did you mean 'web'?",
      "site.yml:7:7: error: unknown module 'shel', did you mean 'shell'? (task \"unknown module\")",
      "site.yml:11:9: error: unknown argument 'dset' for module 'copy', did you mean 'dest'? (task \"unknown argument\")",
      "site.yml:13:7: error: missing required argument 'dest' for module 'copy' (task \"missing argument\")",
      "site.yml:18:16: error: module 'service', argument 'state': expected one of \"started\"|\"stopped\"|\"restarted\"|\"reloaded\" (task \"wrong type\")",
      "site.yml:27:9: error: module 'copy': give exactly one of src or content (task \"refine error\")",
      "site.yml:30:14: error: module 'copy': file 'nothere.txt' not found (looked in files/nothere.txt, nothere.txt) (task \"missing src file\")",
      "site.yml:34:14: error: module 'template': template 'nothere.j2' not found (looked in templates/nothere.j2, nothere.j2) (task \"missing template\")",
      "site.yml:38:14: error: template templates/broken.j2: parseIf: expected elif, else, or endif, got end of file (task \"bad template file\")",
      "site.yml:44:11: error: notify 'restrat app' matches no handler of this play, did you mean 'restart app'? (task \"bad notify\")",
      "site.yml:47:14: error: bad template in argument 'msg' of 'debug': no filter named 'to_jsn', did you mean 'to_json'? (task \"bad expressions\")",
      "site.yml:48:13: error: bad expression in 'when': unexpected token: ) (in \"x ==\") (task \"bad expressions\")",
      "site.yml:50:36: error: unknown argument 'bogus' for module 'copy' (task \"key=value string\")",
      "site.yml:52:16: error: module 'service' takes key=value arguments or a mapping, not free text ('nginx') (task \"free text to a non free-form module\")",
      "site.yml:53:13: error: unknown meta action 'flush_handler', did you mean 'flush_handlers'?",
      "site.yml:58:13: error: 'when' is already an expression: write it without {{ }} (e.g. \"x == 1\") (task \"braces in when\")",
      "site.yml:60:31: error: unknown argument 'sate' for module 'service', did you mean 'state'? (task \"legacy key=value with a typo\")",
      "site.yml:69:10: error: host pattern 'nobody-*' matches no host or group",
      "site.yml:72:10: error: host pattern 'lb:&solo' matches no hosts",
    ]);
    expect(run.ok).toBe(false);
  });

  it('loads and validates a good playbook without diagnostics', () => {
    const good = prepareRun({ playbook: join(__dirname, '../../fixtures/play/good/site.yml'), inventory: INVENTORY, registry });
    expect(lines(good.diagnostics)).toEqual([]);
    expect(good.ok).toBe(true);
    // the playbook's group_vars/ applied to the inventory
    expect(good.inventory.groups.get('lb')!.vars.pb_group_var).toBe('from-playbook-dir');
  });

  it('checks --limit and --tags', () => {
    const pb = readPlaybook(join(__dirname, '../../fixtures/play/good/site.yml'), { registry }).playbook;
    const inv = readInventory(INVENTORY).inventory;
    expect(lines(validateRun({ playbook: pb, inventory: inv, registry, limit: 'edu-web-01', tags: ['blk', 'nosuchtag', 'always'] }))).toEqual([
      "site.yml:3:10: warning: play 'Load balancers' has no hosts left after --limit 'edu-web-01': it will be skipped",
      "warning: --tags 'nosuchtag' matches no task",
    ].map((l) => l.replace('site.yml', relative(process.cwd(), join(__dirname, '../../fixtures/play/good/site.yml')))));
    expect(lines(validateRun({ playbook: pb, inventory: inv, registry, limit: 'nobody' }))).toEqual([
      "error: --limit: 'nobody' matches no host or group",
    ]);
  });
});

describe('templates in variables', () => {
  it('are syntax-checked in inventory, play vars, vars_files and role defaults', async () => {
    const { mkdtempSync, writeFileSync, mkdirSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'haweb-tv-'));
    writeFileSync(join(dir, 'hosts'), '[web]\nh1 greeting="{{ name | uper }}"\n[web:vars]\nbad={{ x\n');
    writeFileSync(join(dir, 'vf.yml'), 'from_file: "{{ y | to_jsn }}"\n');
    mkdirSync(join(dir, 'roles/r/defaults'), { recursive: true });
    writeFileSync(join(dir, 'roles/r/defaults/main.yml'), 'rd: "{% if %}"\n');
    writeFileSync(join(dir, 'site.yml'), '- hosts: web\n  roles: [r]\n  vars:\n    pv: "{{ 1 + }}"\n  vars_files: [vf.yml]\n  tasks: []\n');
    const r = prepareRun({ playbook: join(dir, 'site.yml'), inventory: join(dir, 'hosts'), registry: testRegistry() });
    const msgs = r.diagnostics.map((d) => d.message.replace(dir + '/', ''));
    expect(msgs).toEqual([
      "bad template in variable 'bad' of inventory group 'web': expected variable end",
      "bad template in variable 'greeting' of inventory host 'h1': no filter named 'uper', did you mean 'upper'?",
      "bad template in play variable 'pv': unexpected token: }}",
      "bad template in variable 'from_file' of vf.yml: no filter named 'to_jsn', did you mean 'to_json'?",
      "bad template in role default 'rd': unexpected token: %}",
    ].map((m) => expect.stringMatching(new RegExp('^' + m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))) as unknown as string));
  });
});

describe('Jinja2 syntax nunjucks lacks on its own', () => {
  it('passes validation: nested dict literals ending in }}, loop filters, a whole {{ }} when', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'haweb-jc-'));
    writeFileSync(join(dir, 'hosts'), '[web]\nh1\n');
    writeFileSync(
      join(dir, 'site.yml'),
      [
        '- hosts: web',
        '  vars:',
        "    conf: \"{{ {'http': {'gzip': 'on'}} }}\"",
        '  tasks:',
        "    - name: \"peers {{ {'a': {'b': 1}} | length }}\"",
        '      command: "echo {% for h in groups.web if h != inventory_hostname %}{{ h }}{% endfor %}"',
        "      when: \"{{ conf == {'http': {'gzip': 'on'}} }}\"",
        "    - command: /bin/true",
        "      when: \"conf | combine({'http': {'gzip': 'off'}}, recursive=True) is mapping\"",
        '',
      ].join('\n'),
    );
    const r = prepareRun({ playbook: join(dir, 'site.yml'), inventory: join(dir, 'hosts'), registry: testRegistry() });
    expect(r.diagnostics.map((d) => d.message)).toEqual([]);
  });
});
