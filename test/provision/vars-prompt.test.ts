/**
 * vars_prompt on lab hosts, `provision` beside Debian's `ansible-playbook` on the same hosts: -e
 * answers, defaults (templated, as text) without a terminal, the questions on a real terminal (a
 * pseudo-terminal driven by test/provision/pty-run.py: private answers not echoed, confirm, unsafe),
 * and a prompt with no default and no terminal (ansible-playbook sets the text 'None'; provision stops
 * before touching a host, naming the entry's file:line:col).
 * Runs from the repo root: npx vitest run --config vitest.integration.config.ts test/provision/vars-prompt.test.ts
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { compare, FIXTURES, KW_DIR, labFromName, onHost, runAnsible, type Lab } from './ansible-compare.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'packages/cli/dist/provision.js');
const PTY = join(import.meta.dirname, 'pty-run.py');

let lab: Lab;
let hosts: string[];

beforeAll(() => {
  lab = labFromName(inject('labName'));
  hosts = lab.hosts.map((h) => h.name).sort();
});

function answersOn(host: string): string {
  return onHost(lab, host, `cat ${KW_DIR}/answers 2>/dev/null || echo '(no file)'`);
}

function reset(): void {
  for (const h of hosts) onHost(lab, h, `rm -rf ${KW_DIR} && mkdir -p ${KW_DIR}`);
}

/** One run on a pseudo-terminal, answering `[question, answer]` pairs in order. */
function onTerminal(argv: string[], answers: [string, string][], cwd: string): { code: number | null; screen: string } {
  const r = spawnSync('python3', [PTY, ...argv], {
    cwd,
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, NO_COLOR: '1', ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: '0', ANSIBLE_PYTHON_INTERPRETER: 'auto_silent', ANSWERS: answers.map((a) => a.join('\t')).join('\n') },
  });
  return { code: r.status, screen: r.stdout };
}

describe('vars_prompt', () => {
  it('without a terminal: -e answers are not asked, defaults are used (as text), as under ansible-playbook', () => {
    const { ours, ansible } = compare(lab, 'vars_prompt.yml', ['-e', 'from_e=cli']);
    expect(ours.code).toBe(0);
    expect(ours.code).toBe(ansible.code);
    expect(ours.files).toEqual(ansible.files);
    expect(ours.stats).toEqual(ansible.stats);
    for (const h of hosts) expect(ours.files[h].answers).toBe('cli hi-world 42 True\n');
    expect(ours.output).toContain('Not prompting as we are not in interactive mode');
    expect(ansible.output).toContain('Not prompting as we are not in interactive mode');
  });

  it('on a terminal: the same questions, private answers not echoed, confirm, an empty answer, an unsafe one', () => {
    const answers: [string, string][] = [
      ['Secret: ', 'first-try'],
      ['confirm Secret: ', 'mismatch'],
      ['Secret: ', 'top-s3cret'],
      ['confirm Secret: ', 'top-s3cret'],
      ['Visible: ', 'shown-word'],
      ['Empty [the-default]: ', ''],
      ['Raw: ', '{{ 1 + 1 }}'],
    ];
    const playbook = join(FIXTURES, 'vars_prompt_tty.yml');
    reset();
    const ours = onTerminal([process.execPath, CLI, 'run', playbook, '-i', lab.inventory], answers, ROOT);
    const oursFiles = hosts.map(answersOn);
    reset();
    const ansible = onTerminal(['ansible-playbook', '-i', lab.inventory, playbook], answers, FIXTURES);
    const ansibleFiles = hosts.map(answersOn);
    expect(ours.code).toBe(0);
    expect(ansible.code).toBe(0);
    expect(oursFiles).toEqual(ansibleFiles);
    expect(oursFiles).toEqual(hosts.map(() => 'top-s3cret shown-word the-default {{ 1 + 1 }}\n'));
    for (const screen of [ours.screen, ansible.screen]) {
      // The questions, in order; the mismatch notice; the visible answer echoed, the private ones never.
      expect(screen).toContain('***** VALUES ENTERED DO NOT MATCH ****');
      expect(screen).toContain('shown-word');
      expect(screen).not.toContain('first-try');
      expect(screen).not.toContain('mismatch\r');
    }
    // provision also masks what was typed at a private prompt wherever it would show.
    expect(ours.screen.split('top-s3cret').length).toBe(1);
  });

  it('no answer, no default, no terminal: ansible-playbook uses the text None, provision stops naming the entry', () => {
    const ansible = runAnsible(lab, 'vars_prompt_none.yml');
    expect(ansible.code).toBe(0);
    for (const h of hosts) expect(ansible.files[h].answers).toBe('None\n');
    reset();
    const r = spawnSync(process.execPath, [CLI, 'run', join(FIXTURES, 'vars_prompt_none.yml'), '-i', lab.inventory], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      `vars_prompt_none.yml:6:7: error: vars_prompt 'nothing' needs an answer, and there is no terminal to ask on and no default: run from a terminal, give it with -e nothing=..., or write a default`,
    );
    for (const h of hosts) expect(answersOn(h)).toBe('(no file)\n');
  });
});
