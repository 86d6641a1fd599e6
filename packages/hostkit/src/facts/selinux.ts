/**
 * SELinux file contexts, as Ansible's common file arguments (seuser, serole, setype, selevel) treat
 * them: nothing at all on a host without SELinux; on an SELinux host, each given part replaces the
 * same part of the path's current context (`_default`: the part of the policy's default context for
 * the path, matchpathcon's answer), and the whole context is set when it differs (lsetfilecon, here
 * chcon). The level counts only where the policy is MLS-aware, as in Ansible.
 *
 * One fact reads everything in one round trip (whether SELinux is on, MLS, the current and the
 * default context); the plan is a pure function of it.
 */
import { shellQuote, type Fact, type ModuleContext, type ModuleResult } from '@haweb/core';
import { applySteps, commandFailedMessage, runSteps } from '../apply.js';
import { stateDiff } from '../util/result.js';
import type { PlannedCommand } from '../util/run.js';

export interface SeContextState {
  /** selinuxfs is mounted (libselinux's is_selinux_enabled). */
  enabled: boolean;
  /** The loaded policy is MLS-aware (/sys/fs/selinux/mls is 1). */
  mls: boolean;
  /** The path's context split as Ansible splits it (at most 4 parts, the level keeps its colons); absent: no such path. */
  current?: string[];
  /** The policy's default context for the path (matchpathcon), when it has one. */
  default?: string[];
}

export interface SeContextArgs {
  path: string;
  /** Act on a link's target (Ansible's follow with a link at path), not on the link. */
  follow?: boolean;
}

/** Python's `text.split(':', 3)`: the level (4th part) may hold colons (s0:c0.c1023). */
export function splitContext(text: string): string[] {
  const parts = text.split(':');
  return parts.length <= 4 ? parts : [...parts.slice(0, 3), parts.slice(3).join(':')];
}

const MARK = '@@haweb-se@@';

/**
 * libselinux's is_selinux_enabled() as a shell test: selinuxfs is mounted (its `enforce` file is there).
 * An empty /sys/fs/selinux folder is not enough: systemd-nspawn makes one in its containers to hide the
 * machine's selinuxfs. The one test the setup facts and the file-context fact both use.
 */
export function selinuxEnabledTest(dir = '/sys/fs/selinux'): string {
  return `[ -f ${dir}/enforce ]`;
}

export const seContextState: Fact<SeContextArgs, SeContextState> = {
  name: 'host.selinux-context',
  command({ path, follow }) {
    const p = shellQuote(path);
    return [
      // Nothing else is read on a host without SELinux.
      `if ${selinuxEnabledTest()}; then`,
      `  echo "${MARK}enabled"`,
      `  echo "${MARK}mls=$(cat /sys/fs/selinux/mls 2>/dev/null)"`,
      `  if [ -e ${p} ] || [ -L ${p} ]; then c=$(stat ${follow ? '-L ' : ''}-c %C -- ${p} 2>/dev/null) && echo "${MARK}current=$c"; fi`,
      `  if command -v matchpathcon >/dev/null 2>&1; then d=$(matchpathcon -n -- ${p} 2>/dev/null) && echo "${MARK}default=$d"; fi`,
      'fi',
      'exit 0',
    ].join('\n');
  },
  parse(stdout) {
    const values = new Map<string, string>();
    let enabled = false;
    for (const line of stdout.split('\n')) {
      if (!line.startsWith(MARK)) continue;
      const rest = line.slice(MARK.length).trim();
      if (rest === 'enabled') enabled = true;
      const eq = rest.indexOf('=');
      if (eq > 0) values.set(rest.slice(0, eq), rest.slice(eq + 1));
    }
    if (!enabled) return { enabled: false, mls: false };
    const usable = (v: string | undefined) => (v !== undefined && v !== '' && v !== '?' && v.includes(':') ? splitContext(v) : undefined);
    const current = usable(values.get('current'));
    const dflt = usable(values.get('default'));
    return { enabled: true, mls: values.get('mls') === '1', ...(current ? { current } : {}), ...(dflt ? { default: dflt } : {}) };
  },
};

/** The file arguments Ansible's modules share for SELinux (load_file_common_arguments' secontext). */
export interface SeContextWant {
  seuser?: string;
  serole?: string;
  setype?: string;
  selevel?: string;
}

export function wantsSeContext(want: SeContextWant): boolean {
  return [want.seuser, want.serole, want.setype, want.selevel].some((v) => v !== undefined && v !== null);
}

export interface SeContextPlan {
  /** The chcon to run; absent: nothing to change (or SELinux is off). */
  command?: PlannedCommand;
  before?: string[];
  after?: string[];
}

/**
 * What Ansible's set_context_if_different decides: the wanted parts (user, role, type, and the
 * level only on an MLS policy), `_default` read from the policy's default (left as is where the
 * policy has none), each replacing the current part it differs from.
 */
export function planSeContext(path: string, state: SeContextState, want: SeContextWant, follow = false): SeContextPlan {
  if (!state.enabled || !state.current) return {};
  const wanted: (string | undefined)[] = [want.seuser, want.serole, want.setype, ...(state.mls ? [want.selevel] : [])].map((v, i) =>
    v === '_default' ? state.default?.[i] : v ?? undefined,
  );
  const current = state.current;
  const next = current.map((part, i) => (i < wanted.length && wanted[i] !== undefined ? wanted[i]! : part));
  if (next.join(':') === current.join(':')) return {};
  return {
    command: { argv: ['chcon', ...(follow ? [] : ['-h']), '--', next.join(':'), path] },
    before: current,
    after: next,
  };
}

/**
 * Give `path` the wanted context, as the last step of a module that takes Ansible's file arguments.
 * Undefined when there is nothing to do: no SELinux option given, a host without SELinux (Ansible
 * ignores the options there), a path that does not exist. Check mode reports without acting.
 */
export async function ensureSeContext(
  ctx: ModuleContext,
  path: string,
  want: SeContextWant,
  follow = false,
): Promise<(ModuleResult & { secontext?: string; secontextBefore?: string[] }) | undefined> {
  if (!wantsSeContext(want)) return undefined;
  const state = await ctx.fact(seContextState, { path, follow });
  if (!state.enabled || !state.current) return undefined;
  const plan = planSeContext(path, state, want, follow);
  if (!plan.command) return { changed: false, secontext: state.current.join(':') };
  const res = await applySteps(ctx, runSteps([plan.command], 'selinux context'), {
    msg: 'selinux context changed',
    diff: [stateDiff(path, { secontext: plan.before!.join(':') }, { secontext: plan.after!.join(':') })],
    failure: (f) => `invalid selinux context: ${commandFailedMessage(f)}`,
  });
  return { ...res, secontext: plan.after!.join(':'), secontextBefore: plan.before };
}
