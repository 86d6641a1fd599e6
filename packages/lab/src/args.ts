/** Command-line parsing of the lab CLI, separate from running, so it is unit-tested without root. */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_KIND, FIREWALL_KINDS, IMAGE_KINDS, INIT_KINDS, KIND_DESCRIPTIONS, validateKind, type HostKind } from './kinds.js';
import { DEFAULT_HOST_COUNT, DEFAULT_LAB_NAME, DEFAULT_SUBNET, MAX_HOSTS, validateLabName, parseSubnet } from './plan.js';

export type LabCommand =
  | { command: 'up'; name: string; hosts?: number; subnet?: string; kind?: Partial<HostKind> }
  | { command: 'down'; name: string }
  | { command: 'status'; name: string; json: boolean }
  | { command: 'reboot'; name: string; host: string }
  | { command: 'exec'; name: string; host: string; argv: string[] }
  | { command: 'sources' }
  | { command: 'help'; text: string };

function hostCount(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_HOSTS) throw new InvalidArgumentError(`expected a number 1..${MAX_HOSTS}`);
  return n;
}

function labName(value: string): string {
  try {
    return validateLabName(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function subnet(value: string): string {
  try {
    parseSubnet(value);
    return value;
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function kindOption(part: keyof HostKind, choices: readonly string[]): Option {
  return new Option(`--${part} <${part}>`, `host ${part} (default ${DEFAULT_KIND[part]}; a running lab keeps its kind)`).choices(choices);
}

function kindHelp(): string {
  const rows = (choices: readonly string[]) => choices.map((c) => `  ${c.padEnd(16)} ${KIND_DESCRIPTIONS[c as keyof typeof KIND_DESCRIPTIONS]}`).join('\n');
  return `\nHost kinds (Debian hosts shaped like the target servers):\n --init\n${rows(INIT_KINDS)}\n --firewall\n${rows(FIREWALL_KINDS)}\n --image\n${rows(IMAGE_KINDS)}\nEL9-shaped: --init systemd --firewall firewalld --image minimal; C6-shaped: --firewall rhel6-iptables.\n`;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Parses argv (without node and script). Throws CommanderError with a usage message on bad input. */
export function parseLabArgs(argv: string[]): LabCommand {
  let result: LabCommand | undefined;
  let output = '';
  const program = new Command('lab')
    .description('A lab of real Linux test hosts (network namespaces with their own sysvinit and sshd)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => (output += s), writeErr: (s) => (output += s) })
    .showHelpAfterError()
    .enablePositionalOptions();
  const nameOption = ['--name <name>', `lab name`, labName, DEFAULT_LAB_NAME] as const;
  program
    .command('up')
    .description('bring the lab up (idempotent: completes or keeps a running lab)')
    .option(...nameOption)
    .option('--hosts <n>', `number of hosts (default ${DEFAULT_HOST_COUNT}; a running lab keeps its hosts)`, hostCount)
    .option('--subnet <cidr>', `lab subnet (default ${DEFAULT_SUBNET})`, subnet)
    .addOption(kindOption('init', INIT_KINDS))
    .addOption(kindOption('firewall', FIREWALL_KINDS))
    .addOption(kindOption('image', IMAGE_KINDS))
    .addHelpText('after', kindHelp())
    .action((o) => {
      const chosen = o.init !== undefined || o.firewall !== undefined || o.image !== undefined;
      if (chosen) {
        try {
          validateKind({ ...DEFAULT_KIND, ...definedOnly({ init: o.init, firewall: o.firewall, image: o.image }) });
        } catch (err) {
          program.error(`error: ${(err as Error).message}`, { code: 'lab.invalidKind' });
        }
      }
      result = { command: 'up', name: o.name, hosts: o.hosts, subnet: o.subnet, ...(chosen ? { kind: definedOnly({ init: o.init, firewall: o.firewall, image: o.image }) } : {}) };
    });
  program
    .command('down')
    .description('remove every namespace, process, mount and veth of the lab')
    .option(...nameOption)
    .action((o) => {
      result = { command: 'down', name: o.name };
    });
  program
    .command('status')
    .description('show the lab and each host')
    .option(...nameOption)
    .option('--json', 'print the state as JSON', false)
    .action((o) => {
      result = { command: 'status', name: o.name, json: Boolean(o.json) };
    });
  program
    .command('reboot')
    .description("kill the host's PID 1 and boot it again through its own init")
    .argument('<host>')
    .option(...nameOption)
    .action((host, o) => {
      result = { command: 'reboot', name: o.name, host };
    });
  program
    .command('exec')
    .description("run a command inside a host's own namespaces (or in the client's network namespace)")
    .argument('<host>', 'host name, or "client"')
    .argument('<command...>', 'command and arguments (after --)')
    .option(...nameOption)
    .passThroughOptions()
    .action((host, command: string[], o) => {
      result = { command: 'exec', name: o.name, host, argv: command[0] === '--' ? command.slice(1) : command };
    });
  program
    .command('sources')
    .description('put the upstream nginx and keepalived tarballs in the cache and print their paths')
    .action(() => {
      result = { command: 'sources' };
    });
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError && (err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version')) {
      return { command: 'help', text: output };
    }
    if (err instanceof CommanderError) throw new CommanderError(err.exitCode, err.code, output.trim() || err.message);
    throw err;
  }
  if (!result) return { command: 'help', text: program.helpInformation() };
  return result;
}
