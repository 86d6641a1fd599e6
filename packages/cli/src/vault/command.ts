/**
 * `provision vault encrypt|decrypt|view|encrypt_string|rekey`: ansible-vault's commands, with files
 * that ansible-vault opens and that open files ansible-vault wrote (same format, core/src/vault).
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { isVaultText, VaultError, vaultYamlScalar, type VaultKeyring } from '@haweb/core';
import type { CliIO } from '../io.js';
import { loadKeyring, VaultPasswordError, withAnsibleEnvironment, type PasswordPrompt, type VaultFlags } from './passwords.js';
import { readInput, writeFileAtomic } from './files.js';
import { ansibleConfig, ConfigError } from '../ansible-config.js';

export interface VaultCommandDeps {
  io: CliIO;
  prompt?: PasswordPrompt;
  readStdin: () => Promise<Buffer>;
}

interface VaultCommandFlags extends VaultFlags {
  output?: string;
  encryptVaultId?: string;
  name?: string[];
  stdinName?: string;
  newVaultPasswordFile?: string;
  newVaultId?: string;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The vault password options every command that reads vaulted data takes. */
export function addVaultOptions(cmd: Command): Command {
  return cmd
    .option('--vault-password-file <file>', 'vault password file, or a script printing it (repeatable)', collect)
    .option('--vault-id <label@source>', 'vault id and its password source: a file, a script or "prompt" (repeatable)', collect)
    .option('--ask-vault-pass', 'ask for the vault password (needs a terminal)');
}

/** The secret to encrypt with: the --encrypt-vault-id one, or the only one given (as ansible-vault decides). */
function encryptionId(keyring: VaultKeyring, flags: VaultCommandFlags): string {
  if (flags.encryptVaultId) {
    if (!keyring.secrets.some((s) => s.id === flags.encryptVaultId)) throw new VaultError(`--encrypt-vault-id ${flags.encryptVaultId}: no password was given for that vault id`);
    return flags.encryptVaultId;
  }
  const ids = [...new Set(keyring.secrets.map((s) => s.id))];
  if (ids.length > 1) throw new VaultError(`the vault ids ${ids.join(', ')} can all encrypt: choose one with --encrypt-vault-id`);
  return ids[0];
}

export function vaultCommand(deps: VaultCommandDeps, result: { code: number }): Command {
  const { io } = deps;
  const say = (line: string) => io.stderr.write(`${line}\n`);

  /** Passwords for these flags; with no source at all, a prompt (as ansible-vault does). */
  const keyringFor = (given: VaultFlags, confirm: boolean): Promise<VaultKeyring> => {
    // ansible-vault reads ansible.cfg's vault settings too; the run's other settings are no concern here.
    const flags = withAnsibleEnvironment(given, ansibleConfig(io.env, io.cwd, { refuse: false }).env);
    const any = (flags.vaultId?.length ?? 0) + (flags.vaultPasswordFile?.length ?? 0) > 0 || flags.askVaultPass;
    return loadKeyring(any ? flags : { askVaultPass: true }, { cwd: io.cwd, prompt: deps.prompt, confirm });
  };

  const inputs = (files: string[]) => (files.length === 0 ? ['-'] : files);
  const read = async (file: string): Promise<Buffer> => (file === '-' ? deps.readStdin() : readInput(resolve(io.cwd, file)));
  const write = (target: string, data: Buffer | string) => {
    if (target === '-') io.stdout.write(typeof data === 'string' ? data : data.toString('utf8'));
    else writeFileAtomic(resolve(io.cwd, target), data);
  };
  const guarded = (action: (...args: never[]) => Promise<void>) =>
    async (...args: never[]) => {
      try {
        await action(...args);
      } catch (e) {
        if (e instanceof VaultError || e instanceof VaultPasswordError || e instanceof ConfigError || (e instanceof Error && /^cannot read /.test(e.message))) {
          say(`provision vault: ${e.message}`);
          result.code = 2;
          return;
        }
        throw e;
      }
    };
  const checkOutput = (files: string[], flags: VaultCommandFlags) => {
    if (flags.output && files.length > 1) throw new VaultError('--output takes one input file');
  };

  const vault = new Command('vault').description('encrypt and decrypt Ansible Vault files and strings (as ansible-vault)');

  addVaultOptions(vault.command('encrypt').description('encrypt files in place (or to --output); no file: stdin to stdout').argument('[files...]'))
    .option('--output <file>', 'write here instead of in place ("-": stdout)')
    .option('--encrypt-vault-id <id>', 'the vault id to encrypt with (when several are given)')
    .action(guarded(async (files: string[], flags: VaultCommandFlags) => {
      checkOutput(files, flags);
      const keyring = await keyringFor(flags, true);
      const id = encryptionId(keyring, flags);
      for (const file of inputs(files)) {
        const plaintext = await read(file);
        if (isVaultText(plaintext)) throw new VaultError(`${file} is already encrypted`);
        write(flags.output ?? file, keyring.encrypt(plaintext, id));
      }
      say('Encryption successful');
    }) as never);

  addVaultOptions(vault.command('decrypt').description('decrypt files in place (or to --output); no file: stdin to stdout').argument('[files...]'))
    .option('--output <file>', 'write here instead of in place ("-": stdout)')
    .action(guarded(async (files: string[], flags: VaultCommandFlags) => {
      checkOutput(files, flags);
      const keyring = await keyringFor(flags, false);
      for (const file of inputs(files)) {
        const data = await read(file);
        if (!isVaultText(data)) throw new VaultError(`${file} is not a vault encrypted file`);
        write(flags.output ?? file, keyring.decrypt(data.toString('utf8'), file));
      }
      say('Decryption successful');
    }) as never);

  addVaultOptions(vault.command('view').description('print the plaintext of vault files').argument('<files...>'))
    .action(guarded(async (files: string[], flags: VaultCommandFlags) => {
      const keyring = await keyringFor(flags, false);
      for (const file of files) {
        const data = await read(file);
        if (!isVaultText(data)) throw new VaultError(`${file} is not a vault encrypted file`);
        io.stdout.write(keyring.decrypt(data.toString('utf8'), file).toString('utf8'));
      }
    }) as never);

  addVaultOptions(
    vault
      .command('encrypt_string')
      .alias('encrypt-string')
      .description('print strings as !vault YAML values (no string: read one from stdin)')
      .argument('[strings...]'),
  )
    .option('-n, --name <name>', 'the variable name of each string, in order (repeatable)', collect)
    .option('--stdin-name <name>', 'the variable name of the string read from stdin')
    .option('--encrypt-vault-id <id>', 'the vault id to encrypt with (when several are given)')
    .action(guarded(async (strings: string[], flags: VaultCommandFlags) => {
      const keyring = await keyringFor(flags, true);
      const id = encryptionId(keyring, flags);
      const items: { name?: string; value: Buffer }[] = strings.map((s, i) => ({ name: flags.name?.[i], value: Buffer.from(s, 'utf8') }));
      if (items.length === 0) items.push({ name: flags.stdinName ?? flags.name?.[0], value: await deps.readStdin() });
      const blocks = items.map((item) => vaultYamlScalar(keyring.encrypt(item.value, id), item.name));
      io.stdout.write(`${blocks.join('\n')}\n`);
      say('Encryption successful');
    }) as never);

  addVaultOptions(vault.command('rekey').description('re-encrypt vault files with a new password').argument('<files...>'))
    .option('--new-vault-password-file <file>', 'the new password file or script')
    .option('--new-vault-id <label@source>', 'the new vault id and its password source')
    .option('--encrypt-vault-id <id>', 'the vault id to re-encrypt with (when several are given)')
    .action(guarded(async (files: string[], flags: VaultCommandFlags) => {
      const keyring = await keyringFor(flags, false);
      const newFlags: VaultFlags = flags.newVaultId
        ? { vaultId: [flags.newVaultId] }
        : flags.newVaultPasswordFile
          ? { vaultPasswordFile: [flags.newVaultPasswordFile] }
          : { askVaultPass: true };
      const next = await loadKeyring(newFlags, { cwd: io.cwd, prompt: deps.prompt, confirm: true });
      const id = next.secrets[0].id;
      // Decrypt every file first: a wrong password leaves all of them as they were.
      const plain = await Promise.all(files.map(async (file) => ({ file, plaintext: keyring.decrypt((await read(file)).toString('utf8'), file) })));
      for (const { file, plaintext } of plain) write(file, next.encrypt(plaintext, id));
      say('Rekey successful');
    }) as never);

  // ansible-vault's other commands need an editor; say so instead of "unknown command".
  for (const name of ['create', 'edit']) {
    vault
      .command(name, { hidden: true })
      .allowUnknownOption()
      .argument('[args...]')
      .action(() => {
        say(`provision vault ${name} is not supported (it needs an editor): use decrypt, edit the file, then encrypt`);
        result.code = 2;
      });
  }
  return vault;
}
