import { z } from 'zod';
import { shellQuote } from '@haweb/core';
import { applySteps, debconfChanges, debconfSelection, debconfState, parseDebconfShow } from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { boolish, withAliases } from '../util/schema.js';

const VTYPES = ['boolean', 'error', 'multiselect', 'note', 'password', 'seen', 'select', 'string', 'text', 'title'] as const;
/** Ansible's `str` type: scalars as Python prints them (True/False for booleans). */
const pyStr = z.union([z.string(), z.number(), z.boolean()]).transform((v) => (typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v)));

/**
 * ansible.builtin.debconf: read a package's debconf answers, or set one (debconf-show and
 * debconf-set-selections, both part of debconf). Check mode; diff; returns msg, current and previous
 * as Ansible does. A password's value never reaches the logs (it goes to the tool on its input).
 * Example: debconf: { name: tzdata, question: tzdata/Areas, vtype: select, value: Europe }
 */
export const debconfModule = defineHostModule({
  name: 'debconf',
  aliases: ['ansible.builtin.debconf'],
  description: "Read or set a package's debconf answers, as Ansible's debconf module.",
  args: withAliases(
    z
      .strictObject({
        name: z.string().min(1),
        question: z.string().optional(),
        vtype: z.enum(VTYPES).optional(),
        value: pyStr.optional(),
        unseen: boolish.default(false),
      })
      .refine((a) => [a.question, a.vtype, a.value].every((x) => x === undefined) || [a.question, a.vtype, a.value].every((x) => x !== undefined), {
        message: 'parameters are required together: question, vtype, value',
      }),
    { name: ['pkg'], question: ['selection', 'setting'], value: ['answer'] },
  ),
  checkMode: 'full',
  async run(a, ctx) {
    const facts = await ctx.fact(debconfState, { pkg: a.name });
    if (!facts.tool) return { changed: false, failed: true, msg: 'Failed to find required executable "debconf-show" in paths: /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };
    if (facts.rc !== 0) return { changed: false, failed: true, msg: facts.stderr };
    let prev = parseDebconfShow(facts.stdout);
    if (a.question === undefined || a.vtype === undefined || a.value === undefined || !debconfChanges(prev, a.question, a.vtype, a.value)) {
      return { changed: false, msg: '', current: prev };
    }
    // Ansible lowers a boolean's value only when it compared it with an existing answer.
    const value = a.vtype === 'boolean' && a.question in prev ? a.value.toLowerCase() : a.value;
    const line = debconfSelection(a.name, a.question, a.vtype, value);
    const script = `printf '%s' ${shellQuote(line)} | debconf-set-selections${a.unseen ? ' -u' : ''}`;
    const applied = await applySteps(ctx, [{ kind: 'script', script, why: `set ${a.question}` }], {
      diff: [],
      failure: (f) => f.result.stderr.trim() || `debconf-set-selections failed (exit ${f.result.code})`,
    });
    if (applied.failed) return { changed: false, failed: true, msg: applied.msg };
    const curr = { [a.question]: value };
    prev = a.question in prev ? { [a.question]: prev[a.question] } : { ...prev, [a.question]: '' };
    const show = (o: Record<string, string>) => `${JSON.stringify(o, null, 4)}\n`;
    return {
      changed: true,
      msg: '',
      current: curr,
      previous: prev,
      ...(ctx.diff ? { diff: [{ before: show(prev), after: show({ ...prev, ...curr }) }] } : {}),
    };
  },
});
