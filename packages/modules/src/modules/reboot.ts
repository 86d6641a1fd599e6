import { z } from 'zod';
import { bootChanged, findCommandScript, rebootBackoffSeconds, rebootCommandParts, rebootConnectionClosed } from '@haweb/hostkit';
import type { ModuleContext, ModuleResult, RunResult } from '@haweb/core';
import { defineHostModule } from '../util/define.js';
import { intish, stringList } from '../util/schema.js';

/** Return values (Ansible's RETURN of reboot): rebooted, elapsed (whole seconds); msg on a failure. */
export type RebootResult = ModuleResult & { rebooted: boolean; elapsed: number };

const DEFAULT_SEARCH_PATHS = ['/sbin', '/bin', '/usr/sbin', '/usr/bin', '/usr/local/sbin'];

/** Ansible's _check_delay: int() of the value (a float is truncated, -0.5 is 0), a negative one is 0. */
export const rebootDelay = z
  .union([z.number(), z.string().regex(/^\s*[-+]?\d+\s*$/)])
  .transform((v) => Math.max(0, Math.trunc(Number(v))));

const args = z.strictObject({
  pre_reboot_delay: rebootDelay.default(0),
  post_reboot_delay: rebootDelay.default(0),
  reboot_timeout: intish.default(600),
  connect_timeout: intish.optional(),
  test_command: z.string().min(1).default('whoami'),
  msg: z.string().default('Reboot initiated by Ansible'),
  search_paths: stringList.default(DEFAULT_SEARCH_PATHS),
  boot_time_command: z.string().min(1).default('cat /proc/sys/kernel/random/boot_id'),
  reboot_command: z.string().min(1).optional(),
});

const sleep = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000));

/**
 * Runs a command; any error on the way (a lost or refused connection, a channel closed by the
 * shutdown) comes back as undefined, as Ansible's reboot treats every exception of a probe as "not yet".
 */
async function attempt(ctx: ModuleContext, script: string, timeoutMs: number): Promise<RunResult | undefined> {
  try {
    return await ctx.remote.run({ script }, { become: ctx.become, timeoutMs });
  } catch (err) {
    ctx.log(`reboot: ${(err as Error)?.message ?? String(err)}`);
    return undefined;
  }
}

/** Retries `probe` with Ansible's backoff until it says done or `deadline` passes (bounded in count by time). */
async function until(probe: () => Promise<boolean>, deadline: number): Promise<boolean> {
  for (let failures = 0; Date.now() < deadline; failures++) {
    if (await probe()) return true;
    await sleep(Math.min(rebootBackoffSeconds(failures), Math.max(0, (deadline - Date.now()) / 1000)));
  }
  return false;
}

/**
 * Examples:
 *   reboot: { reboot_timeout: 300, post_reboot_delay: 5 }
 *   reboot: msg="Kernel upgrade" test_command=uptime
 */
export const rebootModule = defineHostModule({
  name: 'reboot',
  aliases: ['ansible.builtin.reboot'],
  description: 'Reboot the host through its own init (shutdown -r), wait for it to come back (a new boot id, then the test command over a new connection).',
  args,
  checkMode: 'full',
  // Ansible's action plugin checks the option names (_VALID_ARGS): "Invalid options for reboot: foo".
  optionsCheckedByAction: true,
  async run(a, ctx): Promise<RebootResult> {
    if (ctx.check) return { changed: true, elapsed: 0, rebooted: true };
    const probeMs = (a.connect_timeout ?? 30) * 1000;
    const previous = await ctx.remote.run({ script: a.boot_time_command }, { become: ctx.become, timeoutMs: probeMs });
    if (previous.code !== 0) {
      return { changed: false, failed: true, rebooted: false, elapsed: 0, msg: `Failed to get last boot time information. rc=${previous.code}, stdout=${previous.stdout}, stderr=${previous.stderr}` };
    }
    const { bin, args: binArgs } = rebootCommandParts({ rebootCommand: a.reboot_command, preRebootDelay: a.pre_reboot_delay, msg: a.msg });
    let path = bin;
    if (!bin.startsWith('/')) {
      path = (await ctx.remote.run({ script: findCommandScript(bin, a.search_paths) }, { become: ctx.become })).stdout.split('\n')[0].trim();
      // Ansible raises this as an error of the action: its result has only failed and msg.
      if (path === '') return { changed: false, failed: true, msg: `Unable to find command "${bin}" in search paths: [${a.search_paths.map((p) => `'${p}'`).join(', ')}]` } as RebootResult;
    }
    ctx.progress('rebooting');
    const reboot = await attempt(ctx, `${path} ${binArgs}`, 60_000);
    const started = Date.now();
    const elapsed = () => Math.floor((Date.now() - started) / 1000);
    // A connection closed by the shutdown is a reboot under way, as in Ansible.
    if (reboot && reboot.code !== 0 && !rebootConnectionClosed(reboot)) {
      return { changed: false, failed: true, rebooted: false, elapsed: elapsed(), msg: `Reboot command failed. Error was: '${reboot.stdout.trim()}, ${reboot.stderr.trim()}'` };
    }
    if (a.post_reboot_delay > 0) await sleep(a.post_reboot_delay);
    const deadline = Date.now() + a.reboot_timeout * 1000;
    ctx.progress('waiting for a new boot');
    const booted = await until(async () => {
      const r = await attempt(ctx, a.boot_time_command, probeMs);
      return r !== undefined && r.code === 0 && bootChanged(previous.stdout, r.stdout);
    }, deadline);
    if (!booted) return { changed: false, failed: true, rebooted: true, elapsed: elapsed(), msg: `Timed out waiting for last boot time check (timeout=${a.reboot_timeout})` };
    ctx.progress('running the test command');
    const tested = await until(async () => (await attempt(ctx, a.test_command, probeMs))?.code === 0, Date.now() + a.reboot_timeout * 1000);
    if (!tested) return { changed: false, failed: true, rebooted: true, elapsed: elapsed(), msg: `Timed out waiting for post-reboot test command (timeout=${a.reboot_timeout})` };
    return { changed: true, rebooted: true, elapsed: elapsed() };
  },
});
