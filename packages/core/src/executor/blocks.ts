import type { Block, TaskItem } from '../model.js';
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
  await run.runItems(block.block, hosts, inner);
  const failedInBlock = hosts.filter((h) => rt.state(h).failed && !rt.state(h).unreachable);
  if (block.rescue.length > 0 && failedInBlock.length > 0) {
    for (const h of failedInBlock) rt.state(h).failed = false;
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
