#!/usr/bin/env node
/** The lab CLI: `npm run lab -- up|down|status|reboot|exec|sources`. */
import { CommanderError } from 'commander';
import pc from 'picocolors';
import { parseLabArgs, type LabCommand } from './args.js';
import { LabError } from './exec.js';
import { hostExecInteractive } from './host-exec.js';
import { labDown, labReboot, labStatus, labUp } from './lab.js';
import { ensureSources } from './sources.js';
import { readLabState, type LabState } from './state.js';
import { describeKind } from './kinds.js';

// `lab status | head` closes stdout early: that is not an error of the lab.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

const log = (m: string) => process.stderr.write(`${pc.dim('lab:')} ${m}\n`);

function describe(state: LabState): string {
  const lines = [
    `lab ${state.name}: ${state.subnet}  VIP ${state.vip}  client ${state.client.address} (netns ${state.client.netns})  controller ${state.controllerAddress} (${state.controllerVeth})`,
    `  hosts     ${describeKind(state.kind)}${state.repo ? `  (apt repository ${state.repo.url})` : ''}`,
    ...state.hosts.map((h) => `  ${h.name.padEnd(14)} ${h.address.padEnd(16)} netns ${h.netns}  init pid ${h.initPid ?? '-'}`),
    `  key       ${state.paths.privateKey}`,
    `  known_hosts ${state.paths.knownHosts}`,
    `  inventory ${state.paths.inventory}`,
    `  state     ${state.paths.state}`,
  ];
  return lines.join('\n');
}

async function main(command: LabCommand): Promise<number> {
  switch (command.command) {
    case 'help':
      process.stdout.write(command.text);
      return 0;
    case 'up': {
      const started = Date.now();
      const state = await labUp({ name: command.name, hosts: command.hosts, subnet: command.subnet, kind: command.kind, log });
      process.stdout.write(`${describe(state)}\n`);
      log(`up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return 0;
    }
    case 'down':
      await labDown(command.name, log);
      process.stdout.write(`lab ${command.name} is down\n`);
      return 0;
    case 'status': {
      const status = await labStatus(command.name);
      if (command.json) {
        process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
        return status.up ? 0 : 3;
      }
      if (!status.state) {
        process.stdout.write(`lab ${command.name}: down\n`);
        return 3;
      }
      const s = status.state;
      process.stdout.write(`lab ${s.name}: ${status.up ? pc.green('up') : pc.red('degraded')}  ${s.subnet}  VIP ${s.vip}  client ${s.client.address}  (${describeKind(s.kind)})\n`);
      for (const h of status.hosts) {
        const health = h.initPid && h.booted && h.ssh ? pc.green('up') : pc.red(!h.initPid ? 'down' : !h.booted ? 'booting' : 'no-ssh');
        process.stdout.write(`  ${h.name.padEnd(14)} ${h.address.padEnd(16)} ${health.padEnd(16)} init pid ${String(h.initPid ?? '-').padEnd(8)} boots ${h.boots}  netns ${h.netns}\n`);
      }
      process.stdout.write(`  key ${s.paths.privateKey}  known_hosts ${s.paths.knownHosts}  inventory ${s.paths.inventory}\n`);
      return status.up ? 0 : 3;
    }
    case 'reboot':
      await labReboot(command.name, command.host, log);
      process.stdout.write(`${command.host} rebooted\n`);
      return 0;
    case 'exec': {
      const state = await readLabState(command.name);
      if (!state) throw new LabError(`exec in ${command.host}`, `lab ${command.name} is not up`);
      return hostExecInteractive(state, command.host, command.argv);
    }
    case 'sources': {
      const t = await ensureSources(log);
      process.stdout.write(`${t.nginx}\n${t.keepalived}\n`);
      return 0;
    }
  }
}

try {
  process.exitCode = await main(parseLabArgs(process.argv.slice(2)));
} catch (err) {
  if (err instanceof CommanderError) {
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 2;
  } else if (err instanceof LabError) {
    process.stderr.write(`${pc.red(err.message)}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`${pc.red('lab: unexpected error:')} ${(err as Error).stack ?? err}\n`);
    process.exitCode = 1;
  }
}
