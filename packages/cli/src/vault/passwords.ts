/**
 * Where vault passwords come from, as ansible-playbook and ansible-vault take them:
 *   --vault-password-file FILE   a file's content (stripped), or a script's output when executable
 *   --vault-id LABEL@SOURCE      SOURCE is a file, a script, or `prompt`; `--vault-id SOURCE` means default@SOURCE
 *   --ask-vault-pass             a prompt (needs a terminal)
 * A script named `*-client` (or `*-client.EXT`) gets `--vault-id LABEL`, as Ansible's client scripts do.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { promisify } from 'node:util';
import { VaultKeyring, type VaultSecret } from '@haweb/core';

const run = promisify(execFile);

export interface VaultFlags {
  vaultPasswordFile?: string[];
  vaultId?: string[];
  askVaultPass?: boolean;
}

export interface VaultIdSpec {
  id: string;
  /** A file or script path, or `prompt`. */
  source: string;
}

/** Asks the user for a password without echo; undefined when there is no terminal to ask on. */
export type PasswordPrompt = (question: string) => Promise<string>;

export class VaultPasswordError extends Error {
  override name = 'VaultPasswordError';
}

/** `label@source` or `source` (label default). A label may not contain `;` (it goes in the header). */
export function parseVaultIdSpec(spec: string): VaultIdSpec {
  const at = spec.indexOf('@');
  const id = at < 0 ? 'default' : spec.slice(0, at);
  const source = at < 0 ? spec : spec.slice(at + 1);
  if (id === '' || source === '') throw new VaultPasswordError(`--vault-id '${spec}': expected LABEL@SOURCE (SOURCE a password file, a script or 'prompt')`);
  if (/[;\s]/.test(id)) throw new VaultPasswordError(`--vault-id '${spec}': the label may not contain ';' or spaces`);
  return { id, source };
}

/**
 * The flags with Ansible's environment settings added as Ansible adds them: ANSIBLE_VAULT_IDENTITY_LIST
 * (comma-separated LABEL@SOURCE) before the --vault-id ones, ANSIBLE_VAULT_PASSWORD_FILE after the
 * --vault-password-file ones.
 */
export function withAnsibleEnvironment(flags: VaultFlags, env: Record<string, string | undefined>): VaultFlags {
  const fromEnv = (env.ANSIBLE_VAULT_IDENTITY_LIST ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const file = env.ANSIBLE_VAULT_PASSWORD_FILE?.trim();
  return {
    ...flags,
    vaultId: [...fromEnv, ...(flags.vaultId ?? [])],
    vaultPasswordFile: [...(flags.vaultPasswordFile ?? []), ...(file ? [file] : [])],
  };
}

/** Every requested source in Ansible's order: --vault-id ones, then --vault-password-file, then --ask-vault-pass. */
export function vaultSpecs(flags: VaultFlags): VaultIdSpec[] {
  const specs = (flags.vaultId ?? []).map(parseVaultIdSpec);
  for (const file of flags.vaultPasswordFile ?? []) specs.push({ id: 'default', source: file });
  if (flags.askVaultPass) specs.push({ id: 'default', source: 'prompt' });
  return specs;
}

export function isClientScript(path: string): boolean {
  const name = basename(path);
  return name.slice(0, name.length - extname(name).length).endsWith('-client');
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** A password from a file, or from a script's standard output when the file is executable. */
export async function passwordFromSource(spec: VaultIdSpec, cwd: string): Promise<Buffer> {
  const path = resolve(cwd, spec.source);
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new VaultPasswordError(`the vault password file ${spec.source} was not found`);
  }
  if (!st.isFile()) throw new VaultPasswordError(`the vault password file ${spec.source} is not a file`);
  let password: Buffer;
  if (isExecutable(path)) {
    const args = isClientScript(path) ? ['--vault-id', spec.id] : [];
    try {
      // stderr is left to the terminal: scripts may prompt there, as Ansible allows.
      const { stdout } = await run(path, args, { encoding: 'buffer', maxBuffer: 1 << 20, cwd });
      password = trimNewlines(stdout);
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      throw new VaultPasswordError(`the vault password script ${spec.source} failed${typeof code === 'number' ? ` (exit ${code})` : `: ${(e as Error).message.split('\n')[0]}`}`);
    }
    if (password.length === 0) throw new VaultPasswordError(`the vault password script ${spec.source} printed an empty password`);
  } else {
    try {
      password = Buffer.from(readFileSync(path).toString('utf8').trim(), 'utf8');
    } catch (e) {
      throw new VaultPasswordError(`cannot read the vault password file ${spec.source}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (password.length === 0) throw new VaultPasswordError(`the vault password file ${spec.source} is empty`);
  }
  return password;
}

function trimNewlines(data: Buffer): Buffer {
  let start = 0;
  let end = data.length;
  while (start < end && (data[start] === 0x0a || data[start] === 0x0d)) start++;
  while (end > start && (data[end - 1] === 0x0a || data[end - 1] === 0x0d)) end--;
  return data.subarray(start, end);
}

/**
 * The keyring for these flags. `confirm` (encrypting: a typo would lock the data away) asks twice.
 * A prompt with no terminal is an error that says what to use instead.
 */
export async function loadKeyring(flags: VaultFlags, opts: { cwd: string; prompt?: PasswordPrompt; confirm?: boolean }): Promise<VaultKeyring> {
  const secrets: VaultSecret[] = [];
  for (const spec of vaultSpecs(flags)) {
    if (spec.source === 'prompt') {
      if (!opts.prompt) {
        throw new VaultPasswordError('a vault password prompt needs a terminal, and there is none: give the password with --vault-password-file FILE or --vault-id LABEL@FILE');
      }
      const label = spec.id === 'default' ? '' : ` (${spec.id})`;
      const first = await opts.prompt(`${opts.confirm ? 'New vault' : 'Vault'} password${label}: `);
      if (opts.confirm) {
        const again = await opts.prompt(`Confirm new vault password${label}: `);
        if (again !== first) throw new VaultPasswordError('the passwords do not match');
      }
      if (first === '') throw new VaultPasswordError('an empty vault password was given');
      secrets.push({ id: spec.id, password: Buffer.from(first, 'utf8'), source: 'prompt' });
    } else {
      secrets.push({ id: spec.id, password: await passwordFromSource(spec, opts.cwd), source: spec.source });
    }
  }
  return new VaultKeyring(secrets);
}

/** A prompt on the controlling terminal with echo off, or undefined when stdin is not a terminal. */
export function terminalPrompt(stdin: NodeJS.ReadStream = process.stdin, out: NodeJS.WriteStream = process.stderr): PasswordPrompt | undefined {
  if (!stdin.isTTY) return undefined;
  return (question) =>
    new Promise((resolvePassword, reject) => {
      // Echo off before the question shows: whatever is typed after seeing it must never be echoed
      // (a fast typist, or a program answering the prompt, would otherwise see the password printed).
      stdin.setRawMode(true);
      out.write(question);
      stdin.resume();
      let typed = '';
      const done = (error?: Error) => {
        stdin.setRawMode(false);
        stdin.pause();
        stdin.off('data', onData);
        out.write('\n');
        if (error) reject(error);
        else resolvePassword(typed);
      };
      const onData = (chunk: Buffer) => {
        for (const ch of chunk.toString('utf8')) {
          if (ch === '\r' || ch === '\n') return done();
          if (ch === '\u0003') return done(new VaultPasswordError('interrupted'));
          if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
          else typed += ch;
        }
      };
      stdin.on('data', onData);
    });
}
