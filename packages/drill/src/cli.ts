#!/usr/bin/env node
/**
 * `drill`: the seed's HA test plan against an inventory (or a lab). Exit 0 when every step passed,
 * 1 when a step failed, 2 when the drill could not start (bad flags, unreadable inventory, no lab).
 */
import { spawn } from 'node:child_process';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import pc from 'picocolors';
import { LocalClient, NetnsClient, type ClientSide } from './client-side.js';
import { runDrill } from './drill.js';
import type { HostOps } from './host-ops.js';
import { firstAddress, loadInventory, pick, resolveLayout, type DrillInventory } from './inventory.js';
import { restoreMaster, switchEngineScript, type RerunHook } from './steps.js';
import { comparisonTable } from './report.js';
import type { DrillResult } from './types.js';
import { LabExecHostOps, LabRebootHostOps, readLabInfo, type LabInfo } from './transport/lab.js';
import { sshHostOps } from './transport/ssh.js';

function int(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number`);
    return n;
  };
}

export function parseSteps(v: string): number[] {
  const out = new Set<number>();
  for (const part of v.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new InvalidArgumentError(`bad step list "${v}" (e.g. 1,2,4-6)`);
    const a = Number(m[1]);
    const b = Number(m[2] ?? m[1]);
    for (let i = a; i <= b; i++) out.add(i);
  }
  return [...out].sort((x, y) => x - y);
}

/** Totals of `changed=N` in a provisioner recap; undefined when the output has none. */
export function changedCounts(output: string): number[] | undefined {
  // Colors would split "changed=" from its number.
  const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
  const counts = [...plain.matchAll(/\bchanged=(\d+)/g)].map((m) => Number(m[1]));
  return counts.length ? counts : undefined;
}

/** Step 7 from a shell command run on the controller: ok when it exits 0 and reports changed=0 everywhere. */
export function commandRerunHook(command: string, log: (line: string) => void): RerunHook {
  return {
    title: `re-run: ${command}`,
    run: () =>
      new Promise((resolve) => {
        const started = Date.now();
        const child = spawn('sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        const onData = (d: string) => {
          if (output.length < 1_000_000) output += d;
          for (const line of d.split('\n')) if (line.trim()) log(`    | ${line}`);
        };
        child.stdout.setEncoding('utf8').on('data', onData);
        child.stderr.setEncoding('utf8').on('data', onData);
        // Bounded like everything else in the drill.
        const timer = setTimeout(() => child.kill('SIGKILL'), 30 * 60_000);
        child.on('close', (code) => {
          clearTimeout(timer);
          const took = `${((Date.now() - started) / 1000).toFixed(2)} s`;
          const changed = changedCounts(output);
          const changedText = changed ? `changed=${changed.join('/')}` : 'no changed= recap';
          const ok = code === 0 && (changed === undefined || changed.every((c) => c === 0));
          resolve({ ok, detail: `exit ${code}, ${changedText}, took ${took}` });
        });
        child.on('error', (e) => resolve({ ok: false, detail: e.message }));
      }),
  };
}

interface CliOptions {
  inventory?: string[];
  playbookDir?: string;
  lab?: string;
  vip?: string;
  port?: number;
  engine?: string;
  master?: string;
  backup?: string;
  client?: string;
  knownHosts?: string;
  via: string;
  out: string;
  steps?: number[];
  json?: boolean;
  rerunCommand?: string;
  checkInterval?: number;
  advertInt?: number;
  failoverTimeout?: number;
  rebootTimeout?: number;
}

function clientFrom(spec: string | undefined, lab: LabInfo | undefined): ClientSide {
  if (spec === undefined) return lab ? new NetnsClient(lab.client.netns) : new LocalClient();
  if (spec === 'local') return new LocalClient();
  if (spec.startsWith('netns:')) return new NetnsClient(spec.slice('netns:'.length));
  throw new InvalidArgumentError(`--client must be "local" or "netns:NAME", got ${spec}`);
}

function addressesOf(inv: DrillInventory, hosts: string[], fallback: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(hosts.map((h) => [h, firstAddress(pick(inv, h, ['ansible_host'])) ?? fallback[h] ?? h]));
}

export async function main(argv = process.argv): Promise<number> {
  const program = new Command()
    .name('drill')
    .description("Runs the seed's HA test plan: faults on the master, client-observed outages, a timeline picture")
    .option('-i, --inventory <path>', 'inventory file or folder, YAML or INI (repeatable); default with --lab: the lab\'s generated one', (v: string, prev: string[] = []) => [...prev, v])
    .option('--playbook-dir <dir>', 'the playbook\'s folder: its group_vars/ and host_vars/ apply too (as for `provision run`)')
    .option('--lab <name>', 'a lab made by `lab up`: its inventory, VIP, client namespace, and `lab reboot`')
    .option('--vip <address>', 'the VIP (default: inventory lab_vip/vrrp_vip/vip, or the lab\'s)')
    .option('--port <n>', 'nginx port (default: inventory nginx_port, else 88 as in the seed)', int('--port'))
    .option('--engine <name>', 'VRRP service name: vrrpd or keepalived (default: inventory vrrp_engine, else vrrpd); a list (vrrpd,keepalived) runs the plan once per engine on the same pair, side by side')
    .option('--master <host>', 'the master (default: vrrp_state/vrrp_priority in the inventory, else the first proxy)')
    .option('--backup <host>', 'the backup')
    .option('--client <where>', '"local" (the controller) or "netns:NAME" (default: the lab\'s client, else local)')
    .option('--known-hosts <file>', 'known_hosts for SSH (default: from the inventory)')
    .option('--via <how>', 'how host commands run: "ssh" (default), or "lab" (the lab\'s own exec; needs --lab)', 'ssh')
    .option('-o, --out <dir>', 'where drill-timeline.svg and drill-result.json go', 'drill-out')
    .option('--steps <list>', 'steps to run, e.g. 1,2,4-6 (default: all)', parseSteps)
    .option('--json', 'print the result as JSON on stdout (progress goes to stderr)')
    .option('--rerun-command <cmd>', 'step 7: a command run on the controller (e.g. the playbook); passes on exit 0 with changed=0')
    .option('--check-interval <seconds>', 'health-check interval (default: inventory, else 2 as in the seed)', int('--check-interval'))
    .option('--advert-int <seconds>', 'VRRP advert interval, bounds the handover in which both proxies may hold the VIP (default: inventory ha_advert_int/advert_int, else 1)', int('--advert-int'))
    .option('--failover-timeout <seconds>', 'how long a failover or failback may take (default 20)', int('--failover-timeout'))
    .option('--reboot-timeout <seconds>', 'how long the master may take to come back from a reboot (default 180)', int('--reboot-timeout'))
    .exitOverride();

  let o: CliOptions;
  try {
    program.parse(argv);
    o = program.opts<CliOptions>();
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode;
    return code === 0 ? 0 : 2;
  }

  const log = o.json ? (l: string) => process.stderr.write(l + '\n') : (l: string) => process.stdout.write(l + '\n');
  let hosts: HostOps | undefined;
  let result;
  let compared: DrillResult[] | undefined;
  try {
    const lab = o.lab ? await readLabInfo(o.lab) : undefined;
    const sources = o.inventory ?? (lab ? [lab.paths.inventory] : undefined);
    if (!sources) throw new Error('give --inventory FILE (or --lab NAME)');
    const inv = loadInventory(sources, { playbookDir: o.playbookDir });
    const engines = o.engine?.includes(',') ? o.engine.split(',').map((e) => e.trim()).filter(Boolean) : undefined;
    // Every name checked before anything runs (they end up in shell commands on the hosts).
    for (const e of engines ?? []) if (!/^[A-Za-z0-9_.-]+$/.test(e)) throw new Error(`bad engine/service name ${e}`);
    const layout = resolveLayout(inv, {
      vip: o.vip ?? (lab && !pick(inv, undefined, ['drill_vip', 'vrrp_vip', 'vip']) ? lab.vip : undefined),
      port: o.port,
      engine: engines ? engines[0] : o.engine,
      master: o.master,
      backup: o.backup,
      checkIntervalMs: o.checkInterval !== undefined ? o.checkInterval * 1000 : undefined,
      advertIntMs: o.advertInt !== undefined ? Math.round(o.advertInt * 1000) : undefined,
    });
    const proxies = [layout.master, layout.backup];
    const labAddresses = lab ? Object.fromEntries(lab.hosts.map((h) => [h.name, h.address])) : undefined;
    if (o.via !== 'ssh' && o.via !== 'lab') throw new Error(`--via must be ssh or lab, got ${o.via}`);
    if (o.via === 'lab' && !lab) throw new Error('--via lab needs --lab NAME');
    if (o.via === 'lab' && lab) {
      hosts = new LabExecHostOps(lab.name, log);
    } else {
      const ssh = await sshHostOps(inv, proxies, {
        knownHostsFile: o.knownHosts ?? lab?.paths.knownHosts,
        privateKeyFile: lab?.paths.privateKey,
        addresses: labAddresses,
      });
      hosts = lab ? new LabRebootHostOps(lab.name, ssh, log) : ssh;
    }
    const client = clientFrom(o.client, lab);
    // Ctrl-C in the middle of step 3 must not leave nginx's binary set aside on the master.
    const opsForSignal = hosts;
    process.once('SIGINT', () => {
      log('interrupted: restoring the master (nginx binary, nginx, VRRP service)');
      void restoreMaster({ hosts: opsForSignal, layout, log })
        .catch(() => false)
        .finally(() => process.exit(130));
    });
    log(`inventory ${inv.file}; master/backup from ${layout.sources.roles}; port from ${layout.sources.port}; host commands via ${o.via}`);
    const runOnce = (engine: string, outDir: string) => runDrill({
      layout: { ...layout, engine },
      hosts: hosts!,
      client,
      addresses: addressesOf(inv, proxies, labAddresses),
      steps: o.steps,
      timeouts: {
        ...(o.failoverTimeout ? { failoverMs: o.failoverTimeout * 1000, failbackMs: o.failoverTimeout * 1000 } : {}),
        ...(o.rebootTimeout ? { rebootMs: o.rebootTimeout * 1000 } : {}),
      },
      rerun: o.rerunCommand ? commandRerunHook(o.rerunCommand, log) : undefined,
      outDir,
      log,
      color: !o.json && process.stdout.isTTY === true,
    });
    if (engines) {
      compared = await compareEngines(engines, proxies, hosts, runOnce, o.out, log);
      result = { ...compared[0], ok: compared.every((r) => r.ok) };
    } else {
      result = await runOnce(layout.engine, o.out);
    }
  } catch (e) {
    process.stderr.write(`drill: ${e instanceof Error ? e.message : String(e)}\n`);
    await hosts?.close().catch(() => undefined);
    return 2;
  }
  await hosts.close().catch(() => undefined);
  if (o.json && compared) {
    process.stdout.write(JSON.stringify({ ok: result.ok, engines: compared.map(({ samples, ...rest }) => ({ ...rest, sampleCount: samples.length })) }, null, 2) + '\n');
  } else if (o.json) {
    const { samples, ...rest } = result;
    process.stdout.write(JSON.stringify({ ...rest, sampleCount: samples.length }, null, 2) + '\n');
  } else {
    log(result.ok ? pc.green('drill passed') : pc.red('drill FAILED'));
  }
  return result.ok ? 0 : 1;
}

/**
 * Side by side: the pair switched to each engine in turn (the others stopped and disabled at boot),
 * the plan run against it with its own probe, files under OUT/ENGINE; then a comparison table and
 * OUT/drill-compare.json. The pair is left on the first engine.
 */
async function compareEngines(
  engines: readonly string[],
  proxies: readonly string[],
  hosts: HostOps,
  runOnce: (engine: string, outDir: string) => Promise<DrillResult>,
  out: string,
  log: (line: string) => void,
): Promise<DrillResult[]> {
  const switchTo = async (engine: string) => {
    log(`\n=== engine ${engine}: both proxies switched to it`);
    for (const h of proxies) {
      const r = await hosts.run(h, switchEngineScript(engine, engines.filter((e) => e !== engine)), 60_000);
      if (r.code !== 0) throw new Error(`switching ${h} to ${engine} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim()}`);
    }
  };
  const results: DrillResult[] = [];
  for (const engine of engines) {
    await switchTo(engine);
    results.push(await runOnce(engine, join(out, engine)));
  }
  if (engines.length > 1) await switchTo(engines[0]);
  log('');
  log(comparisonTable(results));
  const file = join(out, 'drill-compare.json');
  await mkdir(out, { recursive: true });
  await writeFile(`${file}.tmp`, JSON.stringify({ engines: results.map(({ samples: _s, ...r }) => r) }, null, 1) + '\n');
  await rename(`${file}.tmp`, file);
  log(`wrote ${file}`);
  return results;
}

// Run only as the `drill` command (dist/cli.js, the bin/drill.js shim, or npm's link), not when imported by tests.
if (process.argv[1] && /(?:^|\/)(?:cli\.js|drill(?:\.js)?)$/.test(process.argv[1])) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`drill: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(2);
    },
  );
}
