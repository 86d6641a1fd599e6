import type { Connector } from '../contract/connector.js';
import type { ModuleRegistry } from '../contract/module.js';
import type { Inventory, Vars } from '../model.js';
import type { EventSink } from './events.js';
import type { BecomeDefaults } from './become.js';

/** Ansible's configured defaults of keywords (the run's, below every play, block and task keyword). */
export interface KeywordDefaults {
  anyErrorsFatal?: boolean;
  noLog?: boolean;
  /** Seconds (task_timeout; 0 or absent: none). */
  timeout?: number;
  strategy?: 'linear' | 'free';
}

/**
 * Jinja2 templating as the executor needs it. The loader's templating module provides the real one
 * (nunjucks); the executor only calls these two functions with a host's variables.
 */
export interface Templater {
  /** Render a template string (`"{{ a }}/b"`, `{% if %}`) to text. Throws on undefined variables. */
  render(template: string, vars: Vars): string;
  /** Evaluate a bare expression (`a == 1`, `item.name`) to a value. */
  evaluate(expression: string, vars: Vars): unknown;
  /** Optional: a `when:` condition as a boolean (Python truthiness). Default: truthiness of evaluate(). */
  condition?(expression: string, vars: Vars, onWarning?: (message: string) => void): boolean;
  /** Optional: render a whole value (lists, mappings; a lone `{{ x }}` keeps its type; omit dropped). */
  renderValue?(value: unknown, vars: Vars): unknown;
  /** Optional: a template file's text, its includes read through `load` (name → text; throws when not found). */
  renderTemplate?(template: string, vars: Vars, load: (name: string) => string): string;
  /** Optional: renderValue plus the NativeJinjaText class of the text it made ('' when none; templating/native-text.ts). */
  renderValueMarked?(value: unknown, vars: Vars): { value: unknown; nativeClass: string };
  /** Optional: lookup('template')'s rendering of a template file's text, read back as data unless `convertData` is false. */
  templateLookup?(template: string, vars: Vars, convertData: boolean): unknown;
  /** Optional: the value of `omit`; task arguments equal to it are dropped. */
  omit?: string;
}

export interface TagSelection {
  /** --tags: run only these (plus `always`). Empty: everything but `never`. */
  only: string[];
  /** --skip-tags. */
  skip: string[];
}

/** How hosts are matched against a play's `hosts:` pattern (the loader's pattern engine). */
export type HostMatcher = (inventory: Inventory, pattern: string) => string[];

/** Per-host inventory variables, merged in Ansible's group order (the loader's precedence helper). */
export type InventoryVarsResolver = (inventory: Inventory, host: string) => Vars;

/** Facts kept between runs, per inventory host name. */
export interface FactCache {
  get(host: string): Vars | undefined;
  set(host: string, facts: Vars): void;
  delete(host: string): void;
}

export interface ExecutorOptions {
  inventory: Inventory;
  registry: ModuleRegistry;
  connector: Connector;
  templater: Templater;
  /** Receives every event, already masked. */
  onEvent?: EventSink;
  check?: boolean;
  diff?: boolean;
  /** -v count (Ansible's verbosity): debug tasks with a higher `verbosity` are skipped. */
  verbosity?: number;
  /** Hosts run in parallel up to this many (default 20). */
  forks?: number;
  /** --limit: a host pattern further restricting every play's hosts. */
  limit?: string;
  tags?: Partial<TagSelection>;
  /** -e: the highest variable precedence. */
  extraVars?: Vars;
  /** Values that must never be shown (the loader's secrets). */
  secrets?: Iterable<string>;
  /** Host key handling when the inventory does not say otherwise. */
  hostKeyPolicy?: 'strict' | 'accept-new';
  /** --known-hosts: overrides the inventory's ansible_ssh_known_hosts_file. */
  knownHostsFile?: string;
  /** Used when neither the option nor the inventory name one (default ~/.ssh/known_hosts). */
  defaultKnownHostsFile?: string;
  connectTimeoutMs?: number;
  /**
   * Ansible's `gathering` setting (default implicit): implicit gathers facts unless a play says
   * gather_facts: false; explicit only where a play says true; smart as implicit, but not for a host
   * whose facts were gathered already (earlier in the run, or in a fact cache from an earlier run).
   */
  gathering?: 'implicit' | 'explicit' | 'smart';
  /**
   * Ansible's configured defaults of keywords (ansible.cfg's any_errors_fatal, no_log, task_timeout,
   * strategy, or their ANSIBLE_* variables): used where no play, block or task writes the keyword.
   */
  keywordDefaults?: KeywordDefaults;
  /** Ansible's configured become settings ([privilege_escalation]): below every keyword and variable. */
  becomeDefaults?: BecomeDefaults;
  /** Ansible's configured remote_user, remote_port, private_key_file: used where the host's variables (and the remote_user keyword) name none. */
  remoteUser?: string;
  remotePort?: number;
  privateKeyFile?: string;
  /** Ansible's configured host_key_checking (false: unknown keys are learned), below the host's variables. */
  hostKeyChecking?: boolean;
  /** Pattern engine; defaults to the loader's (names, groups, `a:b`, `a:!b`, `a:&b`, globs, ~regex). */
  matchHosts?: HostMatcher;
  /** Inventory variable merge; defaults to the loader's (all < parent groups < child groups < host). */
  inventoryVars?: InventoryVarsResolver;
  /** --ask-become-pass: the become password where no ansible_become_password says otherwise (a secret). */
  becomePassword?: string;
  /**
   * vars_prompt: asks on the terminal (`echo` false: echo off); absent when there is no terminal, and
   * then a prompt's default is used, or the run stops naming the prompt.
   */
  ask?: (question: string, echo: boolean) => Promise<string>;
  /** A line for the user at the terminal beside `ask` (vars_prompt's "do not match"); default: a warning. */
  tell?: (line: string) => void;
  /**
   * A fact cache kept between runs (Ansible's fact caching, e.g. the jsonfile plugin): a host's cached
   * facts are its facts from the start (below play vars); what setup gathers and what set_fact sets
   * with `cacheable: true` is written back. Absent: facts live for the run only (Ansible's memory cache).
   */
  factCache?: FactCache;
  /** Waits between `until` attempts; tests pass a fake clock (default: a real timer). */
  sleep?: (ms: number) => Promise<void>;
}
