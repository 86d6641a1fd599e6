/**
 * Differential reading of keepalived.conf: keepalived 2.2.7's own (its `-t` verdict, and the
 * configuration it dumps with `-d` when started) against vrrpd's (`configTest` and the model `loadConfig`
 * builds), compared field by field on what a VRRP speaker does: instances, priorities, VIPs, timers,
 * scripts with their argv and users, tracking weights, notify scripts, GARP settings.
 *
 * keepalived runs only inside a scratch network namespace made here (veth pairs named after the
 * interfaces the configuration uses, addresses from 198.18.0.0/15 benchmark space), with its own pid
 * files in a scratch directory, so it never meets another keepalived, and is stopped by its pid.
 * Needs root. Plain JavaScript, shared by the integration test and scripts/keepalived-corpus.mjs.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const IP = 'ip';

/** Creates namespace `name` with one veth pair per interface name (both ends inside), each end up. */
export function createNamespace(name, interfaces) {
  deleteNamespace(name);
  execFileSync(IP, ['netns', 'add', name]);
  execFileSync(IP, ['-n', name, 'link', 'set', 'lo', 'up']);
  [...new Set(interfaces)].forEach((iface, i) => {
    execFileSync(IP, ['-n', name, 'link', 'add', iface, 'type', 'veth', 'peer', 'name', `kdpeer${i}`]);
    execFileSync(IP, ['-n', name, 'link', 'set', iface, 'up']);
    execFileSync(IP, ['-n', name, 'link', 'set', `kdpeer${i}`, 'up']);
    execFileSync(IP, ['-n', name, 'addr', 'add', `198.18.${200 + Math.floor(i / 250)}.${1 + (i % 250)}/16`, 'dev', iface]);
  });
}

/** Removes the namespace, first ending (by pid) whatever still runs in it. */
export function deleteNamespace(name) {
  const pids = spawnSync(IP, ['netns', 'pids', name], { encoding: 'utf8' }).stdout?.split(/\s+/).filter(Boolean) ?? [];
  for (const pid of pids) try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
  spawnSync(IP, ['netns', 'del', name]);
}

/** Interface names a configuration mentions (interface, dev, track_interface entries), for the namespace. */
export function interfacesOf(text) {
  const names = new Set(['eth0', 'eth1']);
  for (const m of text.matchAll(/^\s*interface\s+(\S+)/gm)) names.add(m[1]);
  for (const m of text.matchAll(/\bdev\s+(\S+)/g)) names.add(m[1]);
  const track = /track_interface\s*\{([^}]*)\}/g;
  for (const m of text.matchAll(track)) for (const line of m[1].split('\n')) { const w = line.trim().split(/\s+/)[0]; if (w) names.add(w); }
  return [...names].filter((n) => /^[A-Za-z0-9_.:-]{1,15}$/.test(n) && !n.includes('$') && n !== 'lo');
}

const stripTime = (line) => line.replace(/^\w{3} \w{3} +\d+ [\d:]+ \d{4}: /, '');

/** `keepalived -t`: its exit code and what it said (timestamps removed). */
export function keepalivedCheck(ns, file, configId) {
  const r = spawnSync(IP, ['netns', 'exec', ns, 'keepalived', '-t', '-l', '-f', file, ...(configId ? ['-i', configId] : [])], { encoding: 'utf8', timeout: 20_000 });
  const messages = `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').map(stripTime).filter(Boolean);
  return { rc: r.status ?? -1, messages };
}

/**
 * keepalived started with `-d` (dump the configuration) in the namespace: waits for the dump, stops it
 * by pid, and returns the dump's lines. Its pid files live in a scratch directory.
 */
export async function keepalivedDump(ns, file, configId, timeoutMs = 15_000) {
  const dir = mkdtempSync(join(tmpdir(), 'kdiff-'));
  const args = ['netns', 'exec', ns, 'keepalived', '-n', '-l', '-d', '-P', '-f', file, '-p', join(dir, 'k.pid'), '-r', join(dir, 'v.pid'), '-c', join(dir, 'c.pid'), '-b', join(dir, 'b.pid'), ...(configId ? ['-i', configId] : [])];
  const child = spawn(IP, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const onData = (d) => { out += d.toString(); };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const deadline = Date.now() + timeoutMs;
  let early = false;
  child.on('exit', () => { early = true; });
  while (Date.now() < deadline && !early && !/------< (Interfaces|VRRP Sync groups) >------/.test(out)) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 200));
  if (!early) child.kill('SIGTERM');
  const stopped = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 5000))]);
  if (!stopped) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
  return out.split('\n').map(stripTime);
}

/** A notify or check script as keepalived dumps it: `'/usr/bin/x' 'a' 'b', uid:gid 0:0`. */
function parseScriptLine(text) {
  const m = /^(.*?)(?:, uid:gid (\d+:\d+))?$/.exec(text);
  const argv = [...m[1].matchAll(/'((?:[^']|'\\'')*)'/g)].map((x) => x[1]);
  return { argv, uidgid: m[2] };
}

/** The part of keepalived's `-d` dump vrrpd is compared on. */
export function parseKeepalivedDump(lines) {
  const model = { instances: [], scripts: [], syncGroups: [] };
  let section = '';
  let current;
  let list;
  for (const raw of lines) {
    const sec = /^------< (.*) >------$/.exec(raw);
    if (sec) { section = sec[1]; current = undefined; list = undefined; continue; }
    const line = raw.trimEnd();
    if (section === 'VRRP Topology') {
      let m;
      if ((m = /^ VRRP Instance = (.*)$/.exec(line))) { current = { name: m[1], vips: [], unicastPeers: [], trackScripts: [], trackInterfaces: [], notify: {}, preemptDelayS: 0 }; model.instances.push(current); list = undefined; continue; }
      if (!current) continue;
      if ((m = /^   VRRP Version = (\d)/.exec(line))) current.version = Number(m[1]);
      else if ((m = /^   Interface = (.*)$/.exec(line))) current.interface = m[1];
      else if ((m = /^   Virtual Router ID = (\d+)/.exec(line))) current.vrid = Number(m[1]);
      else if ((m = /^   Priority = (\d+)/.exec(line))) current.priority = Number(m[1]);
      else if ((m = /^   Advert interval = (\d+) (sec|milli-sec)/.exec(line))) current.advertMs = Number(m[1]) * (m[2] === 'sec' ? 1000 : 1);
      else if ((m = /^   Preempt = (\w+)/.exec(line))) current.preempt = m[1] === 'enabled';
      else if ((m = /^   Preempt delay = ([\d.]+) secs/.exec(line))) current.preemptDelayS = Number(m[1]);
      else if ((m = /^   Authentication type = (.*)$/.exec(line))) current.auth = m[1] === 'none' ? 'none' : m[1] === 'SIMPLE_PASSWORD' ? 'PASS' : m[1];
      else if ((m = /^   Password = (.*)$/.exec(line))) current.auth = `PASS ${m[1]}`;
      else if ((m = /^   Gratuitous ARP (delay|repeat|refresh|refresh repeat|lower priority delay|lower priority repeat) = (\d+)/.exec(line))) current[`garp ${m[1]}`] = Number(m[2]);
      else if ((m = /^   Sync group = (.*)$/.exec(line))) current.syncGroup = m[1];
      else if ((m = /^   Using src_ip = (\S+) \(from configuration\)/.exec(line))) current.srcIp = m[1];
      else if (/^   Virtual IP \(\d+\):$/.test(line)) list = current.vips;
      else if (/^   Unicast Peer :$/.test(line)) list = current.unicastPeers;
      else if (/^   Tracked scripts :$/.test(line)) list = current.trackScripts;
      else if (/^   Tracked interfaces :$/.test(line)) list = current.trackInterfaces;
      else if ((m = /^   (\w[\w ]*?) state transition script = (.*)$/.exec(line))) { current.notify[m[1].toLowerCase()] = parseScriptLine(m[2]); list = undefined; }
      else if ((m = /^   Master rx lower pri script = (.*)$/.exec(line))) { current.notify['master rx lower pri'] = parseScriptLine(m[1]); list = undefined; }
      else if ((m = /^     (.*)$/.exec(line)) && list) {
        if (list === current.vips) list.push(m[1].replace(/ scope global/, ''));
        else if (list === current.unicastPeers) list.push(m[1].split(' ')[0]);
        else list.push(m[1].replace(/ reverse$/, ' reverse'));
      } else if (/^   \S/.test(line)) list = undefined;
    } else if (section === 'VRRP Scripts') {
      let m;
      if ((m = /^ VRRP Script = (.*)$/.exec(line))) {
        if (model.scripts.some((s) => s.name === m[1])) { current = undefined; continue; } // dumped twice
        current = { name: m[1] }; model.scripts.push(current); continue;
      }
      if (!current) continue;
      if ((m = /^   Command = (.*)$/.exec(line))) current.argv = parseScriptLine(m[1]).argv;
      else if ((m = /^   Interval = (\d+) sec/.exec(line))) current.intervalS = Number(m[1]);
      else if ((m = /^   Timeout = (\d+) sec/.exec(line))) current.timeoutS = Number(m[1]);
      else if ((m = /^   Weight = (-?\d+)(.*)$/.exec(line))) current.weight = `${m[1]}${m[2].includes('reverse') ? ' reverse' : ''}`;
      else if ((m = /^   Rise = (\d+)/.exec(line))) current.rise = Number(m[1]);
      else if ((m = /^   Fall = (\d+)/.exec(line))) current.fall = Number(m[1]);
      else if ((m = /^   Script uid:gid = (\d+:\d+)/.exec(line))) current.uidgid = m[1];
    } else if (section === 'VRRP Sync groups') {
      let m;
      if ((m = /^ VRRP Sync Group = ([^,]*),/.exec(line))) { current = { name: m[1], members: [], notify: {} }; model.syncGroups.push(current); list = undefined; continue; }
      if (!current) continue;
      if (/^   VRRP member instances :$/.test(line)) list = current.members;
      else if ((m = /^   (\w[\w ]*?) state transition script = (.*)$/.exec(line))) { current.notify[m[1].toLowerCase()] = parseScriptLine(m[2]); list = undefined; }
      else if ((m = /^     (\S+)$/.exec(line)) && list) list.push(m[1]);
    }
  }
  for (const s of model.scripts) if (s.timeoutS === 0) s.timeoutS = s.intervalS; // unset: the interval, at run time
  for (const i of model.instances) { i.auth ??= 'none'; i.vips.sort(); i.unicastPeers.sort(); i.trackScripts.sort(); i.trackInterfaces.sort(); }
  model.instances.sort((a, b) => a.name.localeCompare(b.name));
  model.scripts.sort((a, b) => a.name.localeCompare(b.name));
  return model;
}

/** uid:gid of a user ("user" or "user group"), as keepalived prints it; undefined when unknown. */
function uidgidOf(userSpec) {
  if (!userSpec) return undefined;
  const [user, group] = userSpec.split(/\s+/);
  const uid = spawnSync('id', ['-u', user], { encoding: 'utf8' });
  if (uid.status !== 0) return undefined;
  const gid = group ? spawnSync('getent', ['group', group], { encoding: 'utf8' }).stdout?.split(':')[2] : spawnSync('id', ['-g', user], { encoding: 'utf8' }).stdout;
  return gid ? `${uid.stdout.trim()}:${gid.trim()}` : undefined;
}

/** The program as exec finds it (PATH for a bare name), or undefined when there is none. */
function findProgram(name) {
  const candidates = name.includes('/') ? [name] : (process.env.PATH ?? '/usr/bin:/bin').split(':').map((d) => join(d, name));
  return candidates.find((c) => { try { accessSync(c, constants.X_OK); return true; } catch { return false; } });
}

/** keepalived looks a script up in PATH and resolves it (realpath) before it dumps it. */
function resolved(argv) {
  if (!argv || argv.length === 0) return argv;
  const [first, ...rest] = argv;
  const found = findProgram(first);
  try { return [found ? realpathSync(found) : first, ...rest]; } catch { return argv; }
}

/**
 * keepalived disables a script whose program is missing on the host (a vrrp_script with its tracking, a
 * notify script); `vrrpd -t` warns about each one. For the comparison, vrrpd's model leaves them out too.
 */
const runnable = (argv) => Boolean(argv && argv[0] && findProgram(argv[0]));

const NOTIFY_NAMES = { master: 'master', backup: 'backup', fault: 'fault', stop: 'stop', generic: 'generic', masterRxLowerPri: 'master rx lower pri' };

/** vrrpd's model (a VrrpConfig from loadConfig) in the shape parseKeepalivedDump gives. */
export function vrrpdModel(config) {
  const defaultUser = config.globals.scriptUser ?? 'root';
  const notifyOf = (n) => {
    const out = {};
    for (const [key, label] of Object.entries(NOTIFY_NAMES)) {
      if (n[key] && runnable(n[key])) out[label] = { argv: resolved(n[key]), uidgid: uidgidOf(n.users?.[key] ?? defaultUser) };
    }
    return out;
  };
  const instances = config.instances.map((i) => {
    const inst = {
      name: i.name, version: i.version, interface: i.interface, vrid: i.vrid, priority: i.priority, advertMs: i.advertIntervalMs,
      preempt: !i.nopreempt, preemptDelayS: i.preemptDelayMs / 1000,
      auth: i.version === 3 || !i.auth ? 'none' : `PASS ${i.auth.password}`,
      'garp delay': Math.floor(i.garp.masterDelayMs / 1000), 'garp repeat': i.garp.masterRepeat, 'garp refresh': Math.floor(i.garp.masterRefreshMs / 1000),
      'garp refresh repeat': i.garp.masterRefreshRepeat, 'garp lower priority delay': Math.floor(i.garp.lowerPrioDelayMs / 1000), 'garp lower priority repeat': i.garp.lowerPrioRepeat,
      vips: i.vips.map((v) => `${v.address}${v.prefixLength === 32 ? '' : `/${v.prefixLength}`}${v.broadcast ? ` brd ${v.broadcast}` : ''} dev ${v.interface}${v.label ? ` label ${v.label}` : ''}`).sort(),
      unicastPeers: [...i.unicastPeers].sort(),
      trackScripts: i.trackScripts.filter((t) => runnable(config.scripts.find((s) => s.name === t.name)?.argv)).map((t) => `${t.name} weight ${t.weight ?? config.scripts.find((s) => s.name === t.name)?.weight ?? 0}`).sort(),
      trackInterfaces: i.trackInterfaces.map((t) => `${t.name} weight ${t.weight}`).sort(),
      notify: notifyOf(i.notify),
    };
    const group = config.syncGroups.find((g) => g.members.includes(i.name));
    if (group) inst.syncGroup = group.name;
    if (i.unicastSrcIp ?? i.mcastSrcIp) inst.srcIp = i.unicastSrcIp ?? i.mcastSrcIp;
    return inst;
  }).sort((a, b) => a.name.localeCompare(b.name));
  const used = new Set(config.instances.flatMap((i) => i.trackScripts.map((t) => t.name)));
  const scripts = config.scripts.filter((s) => used.has(s.name) && runnable(s.argv)).map((s) => ({
    name: s.name, argv: resolved(s.argv), intervalS: s.intervalMs / 1000, timeoutS: s.timeoutMs / 1000, weight: String(s.weight), rise: s.rise, fall: s.fall,
    uidgid: uidgidOf(s.user ?? defaultUser),
  })).sort((a, b) => a.name.localeCompare(b.name));
  const syncGroups = config.syncGroups.map((g) => ({ name: g.name, members: [...g.members], notify: notifyOf(g.notify) }));
  return { instances, scripts, syncGroups };
}

/** Field-by-field differences between two models, as `path: keepalived X, vrrpd Y` lines. */
export function compareModels(keepalived, vrrpd) {
  const out = [];
  const walk = (path, a, b) => {
    if (Array.isArray(a) || Array.isArray(b)) {
      if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${path}: keepalived ${JSON.stringify(a)}, vrrpd ${JSON.stringify(b)}`);
      return;
    }
    if (a && b && typeof a === 'object' && typeof b === 'object') {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) walk(`${path}.${key}`, a[key], b[key]);
      return;
    }
    if (a !== b) out.push(`${path}: keepalived ${JSON.stringify(a)}, vrrpd ${JSON.stringify(b)}`);
  };
  const byName = (list) => Object.fromEntries(list.map((x) => [x.name, x]));
  walk('instance', byName(keepalived.instances), byName(vrrpd.instances));
  // keepalived dumps only the scripts an instance tracks; so does vrrpdModel.
  walk('vrrp_script', byName(keepalived.scripts), byName(vrrpd.scripts));
  walk('vrrp_sync_group', byName(keepalived.syncGroups), byName(vrrpd.syncGroups));
  return out;
}
