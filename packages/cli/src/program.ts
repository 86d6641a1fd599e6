import { resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import {
  collectSecrets,
  collectSecretsIn,
  exitCodeOf,
  formatDiagnostic,
  HumanReporter,
  inventoryList,
  JsonReporter,
  jinjaTemplater,
  multiReporter,
  parseExtraVars,
  PlaybookRunner,
  resolvePattern,
  SecretMasker,
  useVaultKeyring,
  ValidationError,
  type Connector,
  type Diagnostic,
  type Reporter,
  type Vars,
} from '@haweb/core';
import { composeRegistry, type PluginLoad } from './plugins.js';
import { defaultInventory, defaultKnownHosts } from './paths.js';
import { loadInventoryOnly, loadRun } from './loader.js';
import type { CliIO } from './io.js';
import { provisionVersion } from './version.js';
import { bashCompletion } from './completion.js';
import { addVaultOptions, vaultCommand } from './vault/command.js';
import { ansibleSettings, SettingsError, type AnsibleSettings } from './ansible-settings.js';
import { ansibleConfig, ConfigError, configuredRunOptions, type ConfiguredRunOptions } from './ansible-config.js';
import { loadKeyring, VaultPasswordError, withAnsibleEnvironment, type PasswordPrompt, type VaultFlags } from './vault/passwords.js';

/** Exit codes, as Ansible's: 0 ok, 1 internal error, 2 failed hosts or invalid input, 4 unreachable. */
export const EXIT = { ok: 0, internal: 1, failed: 2, unreachable: 4 } as const;

export interface RunFlags extends VaultFlags {
  inventory?: string[];
  check?: boolean;
  diff?: boolean;
  limit?: string;
  tags?: string[];
  skipTags?: string[];
  extraVars?: string[];
  forks?: number;
  verbose: number;
  json?: boolean;
  acceptNewHostKeys?: boolean;
  knownHosts?: string;
  askBecomePass?: boolean;
  flushCache?: boolean;
}

/** What main() needs from the outside: replaced in tests (fake connector, fixed plug-ins). */
export interface CliDeps {
  io: CliIO;
  connector?: () => Promise<Connector> | Connector;
  registry?: () => Promise<PluginLoad>;
  labInventory?: string;
  /** Asks for a password without echo; undefined when there is no terminal. */
  prompt?: PasswordPrompt;
  /** vars_prompt questions, with or without echo; undefined when there is no terminal. */
  ask?: (question: string, echo: boolean) => Promise<string>;
  /** All of standard input (vault commands read plaintext there). */
  readStdin?: () => Promise<Buffer>;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function commaList(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

/** Ansible's settings as a command reads them: the merged environment and the run's options from it. */
interface Configured {
  env: Record<string, string | undefined>;
  opts: ConfiguredRunOptions;
}

/** --tags after the configured [tags] run ones (Ansible's argparse appends to that default), as is --skip-tags. */
function runTags(flags: RunFlags, opts: ConfiguredRunOptions): string[] {
  return [...opts.runTags, ...commaList(flags.tags)];
}
function skipTags(flags: RunFlags, opts: ConfiguredRunOptions): string[] {
  return [...opts.skipTags, ...commaList(flags.skipTags)];
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
}

function addLoadOptions(cmd: Command): Command {
  return addVaultOptions(cmd)
    .option('-i, --inventory <path>', "inventory file or folder (repeatable); default: ansible.cfg's inventory (or ANSIBLE_INVENTORY), else ./inventory next to the playbook, else the lab", collect)
    .option('-e, --extra-vars <vars>', 'extra variables: key=value, JSON/YAML, or @file (repeatable)', collect)
    .option('-l, --limit <pattern>', 'further limit the hosts to this pattern');
}

async function defaultConnector(flags: RunFlags, warn: (m: string) => void): Promise<Connector> {
  const ssh = (await import('@haweb/ssh')) as unknown as {
    SshConnector: new (o: { onHostKeyLearned?: (m: string) => void }) => Connector;
    TransportConnector: new (ssh: Connector) => Connector;
  };
  void flags;
  // SSH, or the controller itself for hosts whose connection is local.
  return new ssh.TransportConnector(new ssh.SshConnector({ onHostKeyLearned: warn }));
}

/** Build the `provision` program. Actions set `result.code`. */
export function buildProgram(deps: CliDeps, result: { code: number }): Command {
  const { io } = deps;
  const program = new Command('provision')
    .description('Declarative, idempotent provisioning over SSH, with Ansible playbooks and inventories')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showHelpAfterError('(see provision --help)')
    .version(provisionVersion(), '--version', 'print the version');

  const err = (line: string) => io.stderr.write(`${line}\n`);

  const printDiagnostics = (diagnostics: Diagnostic[], masker: SecretMasker) => {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    for (const d of diagnostics) err(masker.mask(formatDiagnostic(d)));
    if (errors.length > 0) err(`${errors.length} error${errors.length === 1 ? '' : 's'}: nothing was run`);
  };

  /**
   * The run's vault passwords, installed for the loaders before anything is read, so vaulted data is
   * decrypted (or refused) before any host is touched. False when a password source failed (reported).
   */
  const useVaultFlags = async (flags: VaultFlags, conf: Configured): Promise<boolean> => {
    try {
      const asked = { ...flags, askVaultPass: flags.askVaultPass || conf.opts.askVaultPass };
      useVaultKeyring(await loadKeyring(withAnsibleEnvironment(asked, conf.env), { cwd: io.cwd, prompt: deps.prompt }));
      return true;
    } catch (e) {
      if (!(e instanceof VaultPasswordError)) throw e;
      err(`provision: ${e.message}`);
      result.code = EXIT.failed;
      return false;
    }
  };

  /**
   * Ansible's settings for this command: the environment, then ansible.cfg (what core reads from the
   * process environment, such as ANSIBLE_ROLES_PATH, is exported there from the file, the environment
   * winning as in Ansible). Undefined after saying why not (a setting provision cannot honour).
   */
  const configured = (): Configured | undefined => {
    try {
      const cfg = ansibleConfig(io.env, io.cwd);
      for (const [k, v] of Object.entries(cfg.exported)) if (process.env[k] === undefined) process.env[k] = v;
      return { env: cfg.env, opts: configuredRunOptions(cfg.env, io.cwd) };
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      err(`provision: ${e.message}`);
      result.code = EXIT.failed;
      return undefined;
    }
  };

  const prepare = async (playbook: string, flags: RunFlags, conf: Configured) => {
    const playbookFile = resolve(io.cwd, playbook);
    const masker = new SecretMasker();
    const plugins = await (deps.registry ?? (() => composeRegistry()))();
    let extraVars: Vars = {};
    const diagnostics: Diagnostic[] = [];
    try {
      extraVars = parseExtraVars(flags.extraVars ?? [], io.cwd);
    } catch (e) {
      if (e instanceof ValidationError) diagnostics.push(...e.diagnostics);
      else diagnostics.push({ severity: 'error', message: `-e: ${(e as Error).message}` });
    }
    for (const s of collectSecrets(extraVars)) masker.add(s);
    const inventorySources = defaultInventory(playbookFile, flags.inventory?.map((i) => resolve(io.cwd, i)) ?? conf.opts.inventory, deps.labInventory);
    const loaded = loadRun({
      playbookFile,
      inventorySources,
      registry: plugins.registry,
      limit: flags.limit,
      tags: runTags(flags, conf.opts),
      skipTags: skipTags(flags, conf.opts),
    });
    diagnostics.push(...loaded.diagnostics);
    if (loaded.inventory) {
      for (const h of loaded.inventory.hosts.values()) for (const s of collectSecrets(h.vars)) masker.add(s);
      for (const g of loaded.inventory.groups.values()) for (const s of collectSecrets(g.vars)) masker.add(s);
    }
    return { ...loaded, diagnostics, extraVars, masker, plugins, playbookFile, inventorySources };
  };

  addLoadOptions(
    program
      .command('run')
      .description('run a playbook')
      .argument('<playbook>', 'playbook file'),
  )
    .option('-C, --check', 'report what would change, change nothing')
    .option('-D, --diff', 'show the differences of changed files')
    .option('-t, --tags <tags>', 'run only tasks with these tags (comma separated, repeatable)', collect)
    .option('--skip-tags <tags>', 'skip tasks with these tags (comma separated, repeatable)', collect)
    .addOption(new Option('-f, --forks <n>', "hosts in parallel (default: ansible.cfg's forks or ANSIBLE_FORKS, else 20)").argParser(positiveInt))
    .option('-v, --verbose', 'more output: module messages and stdout (-vv: logs and progress)', (_v: string, prev: number) => prev + 1, 0)
    .option('--json', 'print one JSON document for machines instead of text')
    .option('--accept-new-host-keys', 'learn unknown host keys into known_hosts (changed keys still abort)')
    .option('--known-hosts <file>', 'known_hosts file (default: the inventory\'s ansible_ssh_known_hosts_file, else ~/.ssh/known_hosts)')
    .option('--flush-cache', 'clear the fact cache (ANSIBLE_CACHE_PLUGIN) of every host in the inventory first')
    .option('-K, --ask-become-pass', 'ask for the become (sudo/su) password (ansible_become_password, where set, wins)')
    .action(async (playbook: string, flags: RunFlags) => {
      const conf = configured();
      if (!conf) return;
      if (!(await useVaultFlags(flags, conf))) return;
      let becomePassword: string | undefined;
      if (flags.askBecomePass || conf.opts.becomeAskPass) {
        if (!deps.prompt) {
          err('provision: --ask-become-pass needs a terminal to ask on, and there is none: set ansible_become_password (vaulted) in the inventory instead');
          result.code = EXIT.failed;
          return;
        }
        becomePassword = await deps.prompt('BECOME password: ');
      }
      const p = await prepare(playbook, flags, conf);
      if (flags.verbose > 0) for (const note of p.plugins.notes) err(`note: ${note}`);
      if (p.diagnostics.some((d) => d.severity === 'error') || !p.playbook || !p.inventory) {
        printDiagnostics(p.diagnostics, p.masker);
        result.code = EXIT.failed;
        return;
      }
      for (const d of p.diagnostics) err(p.masker.mask(formatDiagnostic(d)));
      // Ansible's settings from the environment: fact caching; what provision cannot match stops here.
      let settings: AnsibleSettings;
      try {
        settings = ansibleSettings(conf.env, io.cwd);
      } catch (e) {
        if (!(e instanceof SettingsError)) throw e;
        err(`provision: ${e.message}`);
        result.code = EXIT.failed;
        return;
      }
      if (flags.flushCache) settings.factCache?.flush(p.inventory.hosts.keys());

      const reporters: Reporter[] = [];
      let human: HumanReporter | undefined;
      if (flags.json) reporters.push(new JsonReporter(io.stdout));
      else {
        const tty = Boolean(io.stdout.isTTY);
        human = new HumanReporter({
          out: io.stdout,
          tty,
          // https://no-color.org: colours off when NO_COLOR is set; FORCE_COLOR turns them on in a pipe.
          color: io.env.FORCE_COLOR ? true : tty && !io.env.NO_COLOR,
          verbosity: flags.verbose,
          diff: flags.diff || conf.opts.diffAlways,
          masker: p.masker,
          width: 80,
        });
        reporters.push(human);
      }
      const reporter = multiReporter(...reporters);
      const warn = (message: string) => reporter.handle({ type: 'warning', message });
      const connector = await (deps.connector ?? (() => defaultConnector(flags, warn)))();
      const runner = new PlaybookRunner({
        // Secrets written anywhere in the playbook (a !vault or !secret value in task, block or role
        // vars, a vaulted role vars file, a task argument): masked from the first line of output.
        secrets: [...collectSecretsIn(p.playbook), ...(becomePassword ? [becomePassword] : [])],
        becomePassword: becomePassword || undefined,
        ask: deps.ask,
        tell: err,
        inventory: p.inventory,
        registry: p.plugins.registry,
        connector,
        templater: jinjaTemplater,
        onEvent: (e) => reporter.handle(e),
        check: flags.check,
        diff: flags.diff || conf.opts.diffAlways,
        verbosity: flags.verbose,
        forks: flags.forks ?? conf.opts.forks ?? 20,
        gathering: conf.opts.gathering,
        becomeDefaults: conf.opts.become,
        keywordDefaults: conf.opts.keywordDefaults,
        limit: flags.limit,
        tags: { only: runTags(flags, conf.opts), skip: skipTags(flags, conf.opts) },
        extraVars: p.extraVars,
        hostKeyPolicy: flags.acceptNewHostKeys ? 'accept-new' : 'strict',
        hostKeyChecking: conf.opts.hostKeyChecking,
        knownHostsFile: flags.knownHosts ? resolve(io.cwd, flags.knownHosts) : undefined,
        defaultKnownHostsFile: defaultKnownHosts(),
        ...(conf.opts.timeoutSeconds !== undefined ? { connectTimeoutMs: conf.opts.timeoutSeconds * 1000 } : {}),
        remoteUser: conf.opts.remoteUser,
        remotePort: conf.opts.remotePort,
        privateKeyFile: conf.opts.privateKeyFile,
        factCache: settings.factCache,
      });
      // Ctrl-C: stop the live status line and say so; the exit closes every SSH connection (remote
      // commands get SIGHUP). Files are written atomically, so a host is left with old or new ones.
      const onInterrupt = () => {
        reporter.close();
        io.stderr.write('\nprovision: interrupted; hosts may be partly converged (run again to finish)\n');
        process.exit(130);
      };
      process.once('SIGINT', onInterrupt);
      try {
        const summary = await runner.run(p.playbook);
        result.code = exitCodeOf(summary);
      } finally {
        process.off('SIGINT', onInterrupt);
        reporter.close();
      }
    });

  addLoadOptions(
    program
      .command('check')
      .description('validate a playbook and its inventory without touching any host')
      .argument('<playbook>', 'playbook file'),
  ).action(async (playbook: string, flags: RunFlags) => {
    const conf = configured();
    if (!conf) return;
    if (!(await useVaultFlags(flags, conf))) return;
    const p = await prepare(playbook, { ...flags, verbose: 0 }, conf);
    printDiagnostics(p.diagnostics, p.masker);
    if (p.diagnostics.some((d) => d.severity === 'error') || !p.playbook || !p.inventory) {
      result.code = EXIT.failed;
      return;
    }
    const plays = p.playbook.plays;
    const hosts = new Set(plays.flatMap((play) => resolvePattern(p.inventory!, play.hosts).hosts));
    const count = (items: readonly { kind: string; block?: unknown[]; rescue?: unknown[]; always?: unknown[] }[]): number =>
      items.reduce(
        (n, i) =>
          n +
          (i.kind === 'block'
            ? count([...(i.block ?? []), ...(i.rescue ?? []), ...(i.always ?? [])] as never)
            : 1),
        0,
      );
    const tasks = plays.reduce((n, play) => n + count(play.preTasks) + count(play.tasks) + count(play.postTasks) + play.handlers.length, 0);
    io.stdout.write(
      `${p.playbookFile}: OK (${plays.length} play${plays.length === 1 ? '' : 's'}, ${tasks} task${tasks === 1 ? '' : 's'}, ${hosts.size} host${hosts.size === 1 ? '' : 's'})\n`,
    );
  });

  addVaultOptions(program
    .command('inventory')
    .description('show the inventory'))
    .option('-i, --inventory <path>', "inventory file or folder (repeatable); default: ansible.cfg's inventory (or ANSIBLE_INVENTORY), else the lab", collect)
    .option('--list', 'print every host and group with their variables as JSON (as ansible-inventory --list)')
    .option('--show-secrets', 'print secret values instead of ********')
    .action(async (flags: VaultFlags & { inventory?: string[]; list?: boolean; showSecrets?: boolean }) => {
      const conf = configured();
      if (!conf) return;
      if (!(await useVaultFlags(flags, conf))) return;
      const sources = defaultInventory(undefined, flags.inventory?.map((i) => resolve(io.cwd, i)) ?? conf.opts.inventory, deps.labInventory);
      const { inventory, diagnostics } = loadInventoryOnly(sources);
      if (diagnostics.some((d) => d.severity === 'error')) {
        for (const d of diagnostics) err(formatDiagnostic(d));
        result.code = EXIT.failed;
        return;
      }
      for (const d of diagnostics) err(formatDiagnostic(d));
      if (!flags.list) {
        err('nothing to do: use --list');
        result.code = EXIT.failed;
        return;
      }
      io.stdout.write(`${JSON.stringify(inventoryList(inventory!, { revealSecrets: flags.showSecrets }), null, 2)}\n`);
    });

  program
    .command('completion')
    .description('print a shell completion script: source <(provision completion bash)')
    .argument('[shell]', 'the shell (bash)', 'bash')
    .action((shell: string) => {
      if (shell !== 'bash') {
        err(`provision completion: only bash is supported, not ${shell}`);
        result.code = EXIT.failed;
        return;
      }
      io.stdout.write(bashCompletion(program));
    });

  program.addCommand(vaultCommand({ io, prompt: deps.prompt, readStdin: deps.readStdin ?? (() => readAll(process.stdin)) }, result));

  return program;
}

/** Run the CLI with argv (without `node` and the script); resolves to the exit code. */
export async function main(argv: readonly string[], deps: CliDeps): Promise<number> {
  const result = { code: EXIT.ok as number };
  const program = buildProgram(deps, result);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end with code 0; usage errors are invalid input.
      return e.exitCode === 0 ? EXIT.ok : EXIT.failed;
    }
    if (e instanceof ValidationError) {
      for (const d of e.diagnostics) deps.io.stderr.write(`${formatDiagnostic(d)}\n`);
      return EXIT.failed;
    }
    deps.io.stderr.write(`provision: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return EXIT.internal;
  }
  return result.code;
}
