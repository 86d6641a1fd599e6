/**
 * vars_prompt: the questions ansible-playbook 2.14 asks (text, echo, confirm), -e answers, defaults,
 * no terminal (Ansible's warning and default; an error naming the entry where there is no default),
 * and what the loader refuses (encrypt, unknown keys) with file:line:col.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { askVarsPrompt, promptQuestion, pythonText, unanswerablePrompts } from '../../../src/executor/vars-prompt.js';
import { runPlaybook } from '../../../src/executor/runner.js';
import type { RunEvent } from '../../../src/executor/events.js';
import { formatDiagnostic, ValidationError, type VarsPrompt } from '../../../src/model.js';
import { readPlaybook } from '../../../src/playbook/load.js';
import { testRegistry } from '../../fixtures/registry.js';
import { FakeConnector, inventory, makeTemplater, play, playbook, registry, task } from './fakes.js';

const POS = { file: 'site.yml', line: 3, col: 7 };
const entry = (name: string, extra: Partial<VarsPrompt> = {}): VarsPrompt => ({ name, prompt: name, private: true, confirm: false, unsafe: false, pos: POS, ...extra });

describe('the question', () => {
  it.each<[string, string, unknown, string]>([
    ['prompt and default', 'Your name', 'bob', 'Your name [bob]: '],
    ['prompt only', 'Your name', undefined, 'Your name: '],
    ['a null default is none', 'Your name', null, 'Your name: '],
    ['a boolean default as Python shows it', 'Sure', true, 'Sure [True]: '],
    ['a number default', 'Port', 8080, 'Port [8080]: '],
    ['an empty prompt', '', undefined, 'input for who: '],
  ])('%s', (_label, prompt, def, expected) => {
    expect(promptQuestion('who', prompt, def)).toBe(expected);
  });
  it.each<[unknown, string]>([
    [null, 'None'],
    [false, 'False'],
    [3, '3'],
    ['x', 'x'],
  ])('pythonText(%j) is %s', (v, text) => expect(pythonText(v)).toBe(text));
});

function io(answers: string[], extraVars = {}) {
  const asked: { question: string; echo: boolean }[] = [];
  const warnings: string[] = [];
  const said: string[] = [];
  return {
    asked,
    warnings,
    said,
    io: {
      ask: async (question: string, echo: boolean) => {
        asked.push({ question, echo });
        const a = answers.shift();
        if (a === undefined) throw new Error('asked too often');
        return a;
      },
      extraVars,
      render: (v: unknown) => (typeof v === 'string' ? v.replace('{{ who }}', 'world') : v),
      warn: (m: string) => warnings.push(m),
      say: (m: string) => said.push(m),
    },
  };
}

describe('askVarsPrompt', () => {
  it('asks each entry in order, private with echo off, an empty answer taking the default (as text)', async () => {
    const t = io(['secret', '', 'typed']);
    const got = await askVarsPrompt(
      [entry('pw'), entry('port', { prompt: 'Port', default: 8080, private: false }), entry('greet', { prompt: 'Hello {{ who }}', private: false })],
      t.io,
    );
    expect(t.asked).toEqual([
      { question: 'pw: ', echo: false },
      { question: 'Port [8080]: ', echo: true },
      { question: 'Hello world: ', echo: true },
    ]);
    expect(got).toEqual({ vars: { pw: 'secret', port: '8080', greet: 'typed' }, unsafe: {}, secrets: ['secret'] });
  });

  it('does not ask a name given with -e', async () => {
    const t = io([], { pw: 'from-e' });
    expect(await askVarsPrompt([entry('pw')], t.io)).toEqual({ vars: {}, unsafe: {}, secrets: [] });
    expect(t.asked).toEqual([]);
  });

  it('confirm asks again until both answers match, saying so between', async () => {
    const t = io(['a', 'b', 'c', 'c']);
    const got = await askVarsPrompt([entry('pw', { confirm: true, prompt: 'Password' })], t.io);
    expect(t.asked.map((a) => a.question)).toEqual(['Password: ', 'confirm Password: ', 'Password: ', 'confirm Password: ']);
    expect(t.said).toEqual(['***** VALUES ENTERED DO NOT MATCH ****']);
    expect(got.vars).toEqual({ pw: 'c' });
  });

  it('unsafe answers are kept apart (never templated)', async () => {
    const t = io(['{{ x }}']);
    expect(await askVarsPrompt([entry('raw', { unsafe: true, private: false })], t.io)).toEqual({ vars: {}, unsafe: { raw: '{{ x }}' }, secrets: [] });
  });

  it('without a terminal: the default, with Ansible warning; no default is an error naming the entry', async () => {
    const t = io([]);
    const noTerminal = { ...t.io, ask: undefined };
    expect(await askVarsPrompt([entry('port', { default: 22 })], noTerminal)).toEqual({ vars: { port: '22' }, unsafe: {}, secrets: [] });
    expect(t.warnings).toEqual(['Not prompting as we are not in interactive mode']);
    await expect(askVarsPrompt([entry('pw')], noTerminal)).rejects.toThrow(
      "site.yml:3:7: error: vars_prompt 'pw' needs an answer, and there is no terminal to ask on and no default: run from a terminal, give it with -e pw=..., or write a default",
    );
    expect(unanswerablePrompts([entry('pw'), entry('port', { default: 1 }), entry('given')], { given: 'x' })?.diagnostics.map((d) => d.message)).toEqual([
      "vars_prompt 'pw' needs an answer, and there is no terminal to ask on and no default: run from a terminal, give it with -e pw=..., or write a default",
    ]);
  });
});

describe('vars_prompt in a run', () => {
  it('answers are play variables; a typed private answer is masked in the output', async () => {
    const events: RunEvent[] = [];
    const log: string[] = [];
    const pb = playbook(
      play([task('echo', { msg: 'user={{ user }} pw={{ pw }}' })], { varsPrompt: [entry('user', { private: false }), entry('pw')] }),
    );
    await runPlaybook(pb, {
      inventory: inventory(['a']),
      registry: registry(log),
      connector: new FakeConnector(),
      templater: makeTemplater(),
      onEvent: (e) => events.push(e),
      ask: async (q) => (q === 'user: ' ? 'alice' : 's3cret-pw'),
    });
    expect(log).toEqual(['a:echo:user=alice pw=s3cret-pw']);
    expect(JSON.stringify(events)).not.toContain('s3cret-pw');
  });

  it('without a terminal, a prompt with no default stops the run before any host is touched', async () => {
    const connector = new FakeConnector();
    const pb = playbook(play([task('echo', { msg: 'x' })]), play([task('echo', { msg: 'y' })], { varsPrompt: [entry('pw')] }));
    const run = runPlaybook(pb, { inventory: inventory(['a']), registry: registry(), connector, templater: makeTemplater() });
    await expect(run).rejects.toBeInstanceOf(ValidationError);
    expect(connector.connects).toEqual([]);
  });
});

describe('vars_prompt in the loader', () => {
  it('reads the entries and refuses encrypt and unknown keys with file:line:col', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vp-'));
    const file = join(dir, 'site.yml');
    writeFileSync(
      file,
      `- hosts: all
  vars_prompt:
    - name: user
      prompt: Who
      default: bob
      private: no
    - name: pw
      confirm: yes
      unsafe: yes
    - name: hashed
      encrypt: sha512_crypt
    - name: typo
      promt: x
    - prompt: no name
  tasks: []
`,
    );
    const { playbook: pb, diagnostics } = readPlaybook(file, { registry: testRegistry() });
    const errors = diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d).replace(dir + '/', ''));
    expect(errors).toEqual([
      "site.yml:11:7: error: 'encrypt' in vars_prompt (hashing the answer with passlib) is not supported by this provisioner: ask for the plain value and hash it with the password_hash filter",
      "site.yml:13:7: error: unknown key 'promt' in vars_prompt, did you mean 'prompt'?",
      "site.yml:14:7: error: a vars_prompt entry needs 'name' (the variable it sets)",
    ]);
    expect(pb.plays[0].varsPrompt?.map(({ pos: _pos, ...e }) => e)).toEqual([
      { name: 'user', prompt: 'Who', default: 'bob', private: false, confirm: false, unsafe: false },
      { name: 'pw', prompt: 'pw', private: true, confirm: true, unsafe: true },
    ]);
  });
});
