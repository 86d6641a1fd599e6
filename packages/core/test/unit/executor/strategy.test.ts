import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runPlaybook } from '../../../src/executor/runner.js';
import type { RunEvent } from '../../../src/executor/events.js';
import type { ModuleDefinition } from '../../../src/contract/module.js';
import type { Play } from '../../../src/model.js';
import { FakeConnector, handler, inventory, makeTemplater, play, playbook, registry, task } from './fakes.js';

/**
 * A module that records `step` per host; on host `a`, step 1 waits until host `b` recorded step 3:
 * only a strategy that lets `b` go on alone can finish. Linear would wait forever, so there the gate
 * also opens after a bounded wait and the order shows it; free gets no bound (a hang fails the test).
 */
function gatedRegistry(order: string[], boundMs: number | undefined) {
  const r = registry();
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  const step: ModuleDefinition = {
    name: 'step',
    description: 'records a step',
    checkMode: 'full',
    args: z.strictObject({ n: z.union([z.number(), z.string()]) }),
    async run(args, ctx) {
      const n = String(args.n);
      if (ctx.hostName === 'a' && n === '1') await (boundMs === undefined ? opened : Promise.race([opened, new Promise((r) => setTimeout(r, boundMs))]));
      order.push(`${ctx.hostName}${n}`);
      if (ctx.hostName === 'b' && n === '3') open();
      return { changed: true };
    },
  };
  r.register(step);
  return r;
}

async function runWith(strategy: Play['strategy'], extra: Partial<Play> = {}) {
  const order: string[] = [];
  const events: RunEvent[] = [];
  const summary = await runPlaybook(
    playbook(
      play([task('step', { n: 1 }), task('step', { n: 2 }, { notify: ['h'] }), task('meta', 'flush_handlers'), task('step', { n: 3 })], {
        strategy,
        handlers: [handler('h', 'step', { n: 'h' })],
        ...extra,
      }),
    ),
    { inventory: inventory(['a', 'b']), registry: gatedRegistry(order, strategy === 'free' ? undefined : 300), connector: new FakeConnector(), templater: makeTemplater(), onEvent: (e) => events.push(e) },
  );
  return { order, summary, events };
}

describe('strategy', () => {
  it('free: b runs its tasks and its handler while a is still in its first task', async () => {
    const { order, summary } = await runWith('free');
    expect(order).toEqual(['b1', 'b2', 'bh', 'b3', 'a1', 'a2', 'ah', 'a3']);
    expect(summary.stats.a).toMatchObject({ ok: 4, changed: 4 });
    expect(summary.stats.b).toMatchObject({ ok: 4, changed: 4 });
  });

  it.each([undefined, 'linear' as const])('%s: every host finishes a task before the next one starts', async (strategy) => {
    const { order } = await runWith(strategy);
    // a's first step waited for the gate until its bounded wait ran out: b could not go on alone.
    const phases = [0, 2, 4, 6].map((i) => order.slice(i, i + 2).sort());
    expect(phases).toEqual([['a1', 'b1'], ['a2', 'b2'], ['ah', 'bh'], ['a3', 'b3']]);
  });

  it("free: max_fail_percentage, any_errors_fatal and run_once warn as Ansible's free strategy does", async () => {
    const { events } = await runWith('free', { maxFailPercentage: 10, anyErrorsFatal: true });
    const warnings = events.filter((e) => e.type === 'warning').map((e) => (e as { message: string }).message);
    expect(warnings).toEqual([
      'Using max_fail_percentage with the free strategy is not supported, as tasks are executed independently on each host',
      'Using any_errors_fatal with the free strategy is not supported, as tasks are executed independently on each host',
    ]);
  });
});
