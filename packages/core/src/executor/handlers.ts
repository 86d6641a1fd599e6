import type { Handler } from '../model.js';
import type { RunEvent, TaskRef } from './events.js';

/**
 * Which handlers were notified on which hosts since the last flush. A handler answers to its name
 * and to its `listen` topics; it runs once per flush on the hosts that notified it, in the order
 * handlers are defined (not the order of notification), as in Ansible.
 */
export class HandlerQueue {
  private readonly notified = new Map<Handler, Set<string>>();

  constructor(
    private readonly handlers: readonly Handler[],
    private readonly emit: (event: RunEvent) => void,
  ) {}

  notify(host: string, names: readonly string[], ref: TaskRef): void {
    for (const name of names) {
      const matches = this.handlers.filter((h) => h.name === name || h.listen.includes(name));
      if (matches.length === 0) {
        this.emit({ type: 'warning', message: `no handler named "${name}" (notified by "${ref.name}")`, host, task: ref });
      }
      for (const handler of matches) {
        let set = this.notified.get(handler);
        if (!set) this.notified.set(handler, (set = new Set()));
        set.add(host);
      }
    }
  }

  /**
   * Runs the notified handlers on the notifying hosts among `hosts` (`live` drops the hosts that no
   * longer run tasks). A handler may notify another: later ones run in the same flush, earlier ones
   * in a new pass.
   */
  async flush(
    hosts: readonly string[],
    live: (hosts: readonly string[]) => string[],
    run: (handler: Handler, hosts: string[]) => Promise<void>,
  ): Promise<void> {
    // Only `hosts`' notifications are taken: under the free strategy each host flushes on its own.
    const pending = () => [...this.notified.values()].some((set) => hosts.some((h) => set.has(h)));
    for (let pass = 0; pass < 10 && pending(); pass++) {
      for (const handler of this.handlers) {
        const set = this.notified.get(handler);
        if (!set) continue;
        const mine = hosts.filter((h) => set.has(h));
        if (mine.length === 0) continue;
        for (const h of mine) set.delete(h);
        if (set.size === 0) this.notified.delete(handler);
        const targets = live(mine);
        if (targets.length > 0) await run(handler, targets);
      }
    }
  }
}
