import type { Block, DynamicInclude, TaskItem } from '../model.js';
import { allConditionsHold } from './conditions.js';
import type { TaskRef } from './events.js';
import { tagsSelect } from './tags.js';
import { renderValue } from './vars.js';
import { childScope, type PlayRun, type Scope } from './state.js';
import { runTask } from './task.js';

/** A task list, item by item, on the hosts that are still live before each item. */
export async function runItems(run: PlayRun, items: readonly TaskItem[], hosts: readonly string[], scope: Scope): Promise<void> {
  for (const item of items) {
    const live = run.live(hosts);
    if (live.length === 0) return;
    if (item.kind === 'block') await runBlock(run, item, live, scope);
    else await runTask(run, item, live, scope);
  }
}

/**
 * block, then rescue for the hosts that failed in it, then always for every host still reachable.
 * A rescued failure counts as rescued, not failed (Ansible's recap); a failure that always did not
 * rescue leaves the host failed afterwards.
 */
async function runBlock(run: PlayRun, block: Block, hosts: string[], scope: Scope): Promise<void> {
  const { rt } = run;
  const inner = childScope(scope, block);
  // include_role public: from now on the play's tasks see the role's defaults and vars.
  if (block.exports) run.exportRole?.(block.exports);
  if (block.include) await runDynamicInclude(run, block, block.include, hosts, scope);
  else await run.runItems(block.block, hosts, inner);
  const failedInBlock = hosts.filter((h) => rt.state(h).failed && !rt.state(h).unreachable);
  if (block.rescue.length > 0 && failedInBlock.length > 0) {
    for (const h of failedInBlock) {
      const s = rt.state(h);
      s.failed = false;
      // Ansible's rescue sees the failure: ansible_failed_result (the failed task's result)
      if (s.failedResult) s.hostFacts.ansible_failed_result = s.failedResult;
    }
    await run.runItems(block.rescue, failedInBlock, inner);
    for (const h of failedInBlock) {
      const s = rt.state(h);
      if (!s.failed && !s.unreachable) {
        s.stats.rescued++;
        s.stats.failed = Math.max(0, s.stats.failed - 1);
      }
    }
  }
  if (block.always.length > 0) {
    const stillFailed = new Set(hosts.filter((h) => rt.state(h).failed && !rt.state(h).unreachable));
    for (const h of stillFailed) rt.state(h).failed = false;
    const alwaysHosts = hosts.filter((h) => !rt.state(h).unreachable && !rt.state(h).ended);
    await run.runItems(block.always, alwaysHosts, inner);
    for (const h of stillFailed) rt.state(h).failed = true;
  }
}

/**
 * `include_tasks` with a templated file name, as Ansible's linear strategy runs it: the include's
 * conditions are evaluated per host, its file name rendered per host, each file read once, and the
 * hosts that include the same file run its tasks together, one file after the other (in the order
 * the hosts first named them). The include's own tags select the include, not the included tasks
 * (`apply:` gives keywords to those).
 */
async function runDynamicInclude(run: PlayRun, block: Block, include: DynamicInclude, hosts: string[], scope: Scope): Promise<void> {
  const { rt } = run;
  const { templater } = rt.options;
  const own = childScope(scope, block);
  if (!tagsSelect(own.tags, rt.tags)) return;
  const action = include.action ?? 'include_tasks';
  const ref: TaskRef = { name: block.name ?? action, module: action, pos: block.pos, role: block.role?.name, kind: 'task' };
  const byFile = new Map<string, string[]>();
  const failed = (host: string, msg: string) => {
    const s = rt.state(host);
    s.failed = true;
    s.stats.failed++;
    rt.emit({ type: 'host-result', task: ref, host, status: 'failed', msg, result: { changed: false, failed: true, msg }, durationMs: 0 });
  };
  rt.emit({ type: 'task-start', task: ref, hosts });
  for (const host of hosts) {
    const { vars } = run.hostVars(host, own, undefined);
    let file: string;
    try {
      const cond = allConditionsHold(templater, own.when, vars);
      if (!cond.ok) {
        rt.state(host).stats.skipped++;
        const msg = `conditional result was false: ${cond.failedOn}`;
        rt.emit({ type: 'host-result', task: ref, host, status: 'skipped', msg, result: { changed: false, skipped: true, skip_reason: msg }, durationMs: 0 });
        continue;
      }
      file = String(renderValue(templater, include.file, vars));
    } catch (err) {
      failed(host, `include "${include.file}" (${block.pos.file}:${block.pos.line}) on ${host}: ${(err as Error).message}`);
      continue;
    }
    byFile.set(file, [...(byFile.get(file) ?? []), host]);
    // The include itself is an ok result on each host, as Ansible counts it (include_tasks when its file
    // is loaded; an include_role's result is not counted: linear.py builds its blocks without a count).
    if (action === 'include_tasks') rt.state(host).stats.ok++;
    rt.emit({ type: 'host-result', task: ref, host, status: 'ok', msg: `included: ${file}`, result: { changed: false, include: file }, durationMs: 0 });
  }
  // The include's keywords other than tags and when apply to what it includes, as with a block.
  const inner: Scope = { ...own, when: scope.when, tags: scope.tags };
  for (const [file, group] of byFile) {
    const { items, errors } = include.load(file);
    if (errors.length > 0) {
      for (const h of group) failed(h, `include "${file}" (${block.pos.file}:${block.pos.line}): ${errors.join('; ')}`);
      continue;
    }
    const body: TaskItem[] = include.apply ? [{ ...include.apply, block: items, role: block.role }] : items;
    await run.runItems(body, group, inner);
  }
}
