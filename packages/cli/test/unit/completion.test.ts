import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { bashCompletion } from '../../src/completion.js';
import { buildProgram } from '../../src/program.js';

const io = { stdout: { write: () => true }, stderr: { write: () => true }, cwd: '/', env: {} };
const script = bashCompletion(buildProgram({ io }, { code: 0 }));

/** What bash offers for a command line (the last word is the one being completed). */
function complete(line: string): string[] {
  const words = line.split(' ');
  const program = `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _provision_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync('bash', ['-c', program], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

describe('bash completion', () => {
  it.each([
    ['provision ', ['check', 'completion', 'inventory', 'run', 'vault']],
    ['provision r', ['run']],
    ['provision vault ', ['decrypt', 'encrypt', 'encrypt-string', 'encrypt_string', 'rekey', 'view']],
    ['provision vault enc', ['encrypt', 'encrypt-string', 'encrypt_string']],
    ['provision run --vault-', ['--vault-id', '--vault-password-file']],
    ['provision run -i inv.yml --ch', ['--check']],
    ['provision vault encrypt --out', ['--output']],
    ['provision --ver', ['--version']],
    // A playbook or file name: nothing offered, so bash completes file names (complete -o default).
    ['provision run ', []],
    ['provision run -i inv.yml site', []],
  ])('%j offers %j', (line, expected) => {
    expect(complete(line).sort()).toEqual(expected);
  });
});
