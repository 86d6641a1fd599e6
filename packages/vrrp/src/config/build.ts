import type { DiagnosticSink, SourceLocation } from './diagnostics.js';
import type { Statement } from './tree.js';
import type { Token } from './lexer.js';
import { ValueReader } from './values.js';
import { GLOBAL_KEYWORDS, INSTANCE_KEYWORDS, SYNC_GROUP_KEYWORDS, TOP_KEYWORDS, type KeywordTable } from './keywords.js';
import { splitCommandLine } from './command-line.js';
import { isIpv4 } from '../protocol/address.js';
import { finishFailover, pendingFailover, readInstanceFailoverKeyword, readTrackProcess, type PendingFailover } from './failover-keywords.js';
import {
  DEFAULT_GARP, type GarpConfig, type GlobalDefs, type InstanceConfig, type NotifyConfig, type SyncGroupConfig,
  type TrackInterfaceRef, type TrackProcessConfig, type TrackScriptRef, type VipConfig, type VrrpConfig, type VrrpScriptConfig, type VrrpVersion,
} from './model.js';

/** keepalived limits track weights to ±253 so a weight can never make priority 0 or 255 on its own. */
export const MAX_WEIGHT = 253;

interface PendingInstance {
  at: SourceLocation;
  name: string;
  state?: { value: 'MASTER' | 'BACKUP'; at: SourceLocation };
  interface?: string;
  vrid?: number;
  priority?: number;
  advertInt?: { ms: number; at: Token };
  version?: VrrpVersion;
  nopreempt?: SourceLocation;
  preemptDelayMs?: { ms: number; at: SourceLocation };
  auth?: { type?: 'PASS' | 'AH'; password?: string; at: SourceLocation };
  trackScripts: TrackScriptRef[];
  trackInterfaces: TrackInterfaceRef[];
  dontTrackPrimary: boolean;
  vips: VipConfig[];
  vipInterfaceless: Array<Omit<VipConfig, 'interface'> & { interface?: string }>;
  mcastSrcIp?: string;
  unicastSrcIp?: string;
  unicastPeers: string[];
  notify: NotifyConfig;
  garp: Partial<GarpConfig>;
  /** track_process, resign, peer_priority (failover-keywords.ts). */
  failover: PendingFailover;
}

/** Turns parsed statements into a validated configuration, with keepalived's defaults and corrections. */
export function buildConfig(file: string, statements: Statement[], sink: DiagnosticSink): VrrpConfig {
  const read = new ValueReader(sink);
  const globals: GlobalDefs = { vrrpVersion: 2, garp: { ...DEFAULT_GARP }, enableScriptSecurity: false };
  const scripts: VrrpScriptConfig[] = [];
  const pending: PendingInstance[] = [];
  const syncGroups: SyncGroupConfig[] = [];
  const trackProcesses: TrackProcessConfig[] = [];

  for (const s of statements) {
    switch (s.keyword.value) {
      case 'global_defs': readGlobals(s, read, sink, globals); break;
      case 'vrrp_script': { const script = readScript(s, read, sink); if (script) addUnique(scripts, script, 'vrrp_script', sink); break; }
      case 'vrrp_instance': { const inst = readInstance(s, read, sink); if (inst) addUnique(pending, inst, 'vrrp_instance', sink); break; }
      case 'vrrp_track_process': { const t = readTrackProcess(s, read, sink); if (t) addUnique(trackProcesses, t, 'vrrp_track_process', sink); break; }
      case 'vrrp_sync_group': { const g = readSyncGroup(s, read, sink); if (g) addUnique(syncGroups, g, 'vrrp_sync_group', sink); break; }
      default: unknown(s, sink, TOP_KEYWORDS, 'top level');
    }
  }
  const instances = pending
    .map((p) => { const i = finishInstance(p, globals, scripts, sink); return i && { ...i, ...finishFailover(`(${p.name})`, p.at, p.failover, trackProcesses, sink) }; })
    .filter((i): i is InstanceConfig => i !== undefined);
  checkSyncGroups(syncGroups, instances, sink);
  checkDuplicateVrids(instances, sink);
  if (pending.length === 0) {
    // keepalived's -t passes such a file (an LVS-only config, or one a line-ending accident turned into
    // a comment); vrrpd only speaks VRRP, so a file that gives it nothing to run is refused on purpose.
    sink.error({ file, line: 1, col: 1 }, 'no vrrp_instance: vrrpd would have nothing to run (keepalived -t accepts this; vrrpd refuses it on purpose)');
  }
  const ignoredKeywords = [...noEffectKeywords(sink)].sort();
  return { file, globals, scripts, instances, syncGroups, trackProcesses, ...(ignoredKeywords.length > 0 ? { ignoredKeywords } : {}) };
}

/**
 * A keyword the builder does not read: one with no effect on a VRRP speaker (mail, LVS, SNMP) is only
 * collected, for `vrrpd -t` to list once; one that changes keepalived's behaviour is a warning saying
 * what keepalived would have done; anything else is an unknown keyword.
 */
function unknown(s: Statement, sink: DiagnosticSink, table: KeywordTable | undefined, where: string): void {
  const name = s.keyword.value;
  if (table?.noEffect.has(name)) { noEffectKeywords(sink).add(name); return; }
  const effect = table && Object.hasOwn(table.effects, name) ? table.effects[name] : undefined;
  if (effect) sink.warning(s.keyword, `'${name}' is not implemented by vrrpd and ignored; keepalived ${effect}`);
  else sink.warning(s.keyword, `unknown keyword '${name}' at ${where}; ignored`);
}

/** Keywords ignored without a warning, per read (kept beside the sink, which every reader function has). */
const ignoredBySink = new WeakMap<DiagnosticSink, Set<string>>();
function noEffectKeywords(sink: DiagnosticSink): Set<string> {
  let set = ignoredBySink.get(sink);
  if (!set) ignoredBySink.set(sink, (set = new Set()));
  return set;
}

function addUnique<T extends { name: string; at: SourceLocation }>(list: T[], item: T, what: string, sink: DiagnosticSink): void {
  const previous = list.find((x) => x.name === item.name);
  if (previous) sink.error(item.at, `${what} ${item.name} is already defined at ${previous.at.file}:${previous.at.line}`);
  else list.push(item);
}

function blockName(s: Statement, sink: DiagnosticSink, what: string): string | undefined {
  const name = s.args[0];
  if (!name) { sink.error(s.keyword, `${what} needs a name`); return undefined; }
  if (s.args.length > 1) sink.warning(s.args[1], `${what} ${name.value}: extra words ignored: ${s.args.slice(1).map((t) => t.value).join(' ')}`);
  if (!s.block) { sink.error(s.keyword, `${what} ${name.value} needs a { ... } block`); return undefined; }
  return name.value;
}

/** keepalived reads GARP delays and refresh as whole seconds ("invalid - ignoring" otherwise). */
function readGarpSeconds(s: Statement, sink: DiagnosticSink, max: number): number | undefined {
  const token = s.args[0];
  if (!token) { sink.error(s.keyword, `${s.keyword.value} needs a value`); return undefined; }
  if (!/^\d+$/.test(token.value) || Number(token.value) > max) {
    sink.error(token, `${s.keyword.value}: '${token.value}' is not a whole number of seconds 0..${max} (keepalived ignores it)`);
    return undefined;
  }
  return Number(token.value) * 1000;
}

function readGarpKeyword(s: Statement, read: ValueReader, garp: Partial<GarpConfig>, prefix: '' | 'vrrp_', sink: DiagnosticSink): boolean {
  switch (s.keyword.value) {
    case `${prefix}garp_master_delay`: garp.masterDelayMs = readGarpSeconds(s, sink, 4294) ?? garp.masterDelayMs; return true;
    case `${prefix}garp_master_repeat`: garp.masterRepeat = read.integer(s, 1, 255) ?? garp.masterRepeat; return true;
    case `${prefix}garp_master_refresh`: garp.masterRefreshMs = readGarpSeconds(s, sink, 4294967) ?? garp.masterRefreshMs; return true;
    case `${prefix}garp_master_refresh_repeat`: garp.masterRefreshRepeat = read.integer(s, 1, 255) ?? garp.masterRefreshRepeat; return true;
    case `${prefix}garp_lower_prio_delay`: garp.lowerPrioDelayMs = readGarpSeconds(s, sink, 4294) ?? garp.lowerPrioDelayMs; return true;
    case `${prefix}garp_lower_prio_repeat`: garp.lowerPrioRepeat = read.integer(s, 0, 255) ?? garp.lowerPrioRepeat; return true;
    default: return false;
  }
}

/** vrrp_garp_interval: 0.000001..4294.967295 s with at most 6 decimals, as keepalived reads it (0 is refused). */
function readGarpInterval(g: Statement, read: ValueReader, sink: DiagnosticSink): number | undefined {
  const token = read.one(g);
  if (!token) return undefined;
  const m = /^(\d+)(?:\.(\d{1,6}))?$/.exec(token.value);
  const micros = m ? Number(m[1]) * 1e6 + Number((m[2] ?? '').padEnd(6, '0')) : NaN;
  if (!m || micros < 1 || micros > 4294967295) {
    sink.error(token, `vrrp_garp_interval '${token.value}' is invalid: seconds 0.000001..4294.967295 with at most 6 decimals (keepalived ignores it)`);
    return undefined;
  }
  if (micros >= 1e6) sink.warning(token, `vrrp_garp_interval ${token.value} s is very large (keepalived says the same)`);
  return micros / 1000;
}

function readGlobals(s: Statement, read: ValueReader, sink: DiagnosticSink, globals: GlobalDefs): void {
  const lowerPrioSet: { delay?: boolean; repeat?: boolean } = {};
  for (const g of read.block(s)) {
    if (readGarpKeyword(g, read, globals.garp, 'vrrp_', sink)) {
      if (g.keyword.value === 'vrrp_garp_lower_prio_delay') lowerPrioSet.delay = true;
      if (g.keyword.value === 'vrrp_garp_lower_prio_repeat') lowerPrioSet.repeat = true;
      continue;
    }
    switch (g.keyword.value) {
      case 'router_id': globals.routerId = read.string(g); break;
      case 'vrrp_version': { const v = read.integer(g, 2, 3); if (v) globals.vrrpVersion = v as VrrpVersion; break; }
      case 'vrrp_garp_interval': globals.garp.intervalMs = readGarpInterval(g, read, sink) ?? globals.garp.intervalMs; break;
      case 'vrrp_min_garp': {
        // keepalived: one gratuitous ARP, no second burst and no refresh, unless already set to something else.
        if (read.optionalBoolean(g) === false) break;
        if (globals.garp.masterRepeat === DEFAULT_GARP.masterRepeat) globals.garp.masterRepeat = 1;
        if (globals.garp.masterRefreshMs === DEFAULT_GARP.masterRefreshMs) globals.garp.masterRefreshMs = 0;
        if (globals.garp.masterRefreshRepeat === DEFAULT_GARP.masterRefreshRepeat) globals.garp.masterRefreshRepeat = 0;
        if (globals.garp.masterDelayMs === DEFAULT_GARP.masterDelayMs) globals.garp.masterDelayMs = 0;
        break;
      }
      case 'enable_script_security': globals.enableScriptSecurity = read.flag(g); break;
      case 'script_user': {
        if (g.args.length === 0) sink.error(g.keyword, 'script_user needs a user name');
        else globals.scriptUser = g.args[0].value;
        break;
      }
      default: unknown(g, sink, GLOBAL_KEYWORDS, 'global_defs');
    }
  }
  // The lower-priority GARP schedule follows the master one unless set explicitly (keepalived does the same).
  if (!lowerPrioSet.delay) globals.garp.lowerPrioDelayMs = globals.garp.masterDelayMs;
  if (!lowerPrioSet.repeat) globals.garp.lowerPrioRepeat = globals.garp.masterRepeat;
}

/**
 * A track weight as keepalived reads it: -253..253; ±254 corrected to ±253 with a message (the old
 * limit); anything else refused.
 */
function readWeight(s: Statement, token: Token | undefined, read: ValueReader, sink: DiagnosticSink, what: string): number | undefined {
  if (!token) { sink.error(s.keyword, `${what}: weight needs a value`); return undefined; }
  const value = read.integer({ ...s, keyword: { ...s.keyword, value: `${what} weight` } }, -1e9, 1e9, token);
  if (value === undefined) return undefined;
  if (Math.abs(value) > 254) { sink.error(token, `${what}: weight ${value} is outside -${MAX_WEIGHT}..${MAX_WEIGHT} (keepalived ignores it)`); return undefined; }
  if (Math.abs(value) === 254) {
    const corrected = Math.sign(value) * MAX_WEIGHT;
    sink.warning(token, `${what}: weight ${value} is no longer allowed; using ${corrected} as keepalived does`);
    return corrected;
  }
  return value;
}

/** `reverse` inverts a weight's effect in keepalived; vrrpd refuses it rather than run with the opposite effect. */
function refuseReverse(token: Token | undefined, what: string, sink: DiagnosticSink): void {
  if (!token) return;
  if (token.value === 'reverse') sink.error(token, `${what}: weight 'reverse' (the weight applies while the check fails, or the link is down) is not implemented by vrrpd; remove 'reverse' and change the weight's sign`);
  else if (token.value !== 'noreverse') sink.error(token, `${what}: unknown weight option '${token.value}' (keepalived knows reverse and noreverse)`);
}

/** keepalived's script interval and timeout: whole seconds, 1..4294 (0 is corrected to 1 with a message). */
function readWholeSeconds(k: Statement, sink: DiagnosticSink, what: string): number | undefined {
  const token = k.args[0];
  if (!token) { sink.error(k.keyword, `${what} needs a value`); return undefined; }
  if (!/^\d+$/.test(token.value) || Number(token.value) > 4294) {
    sink.error(token, `${what}: '${token.value}' is not a whole number of seconds 1..4294 (keepalived ignores it and keeps the default)`);
    return undefined;
  }
  if (Number(token.value) === 0) {
    sink.error(token, `${what} must be greater than 0; keepalived uses 1`);
    return 1000;
  }
  return Number(token.value) * 1000;
}

function readScript(s: Statement, read: ValueReader, sink: DiagnosticSink): VrrpScriptConfig | undefined {
  const name = blockName(s, sink, 'vrrp_script');
  if (!name) return undefined;
  let command: string | undefined;
  let intervalMs = 1000;
  let timeoutMs: number | undefined;
  let weight = 0;
  let rise = 1;
  let fall = 1;
  let user: string | undefined;
  let initFail = false;
  for (const k of s.block!) {
    switch (k.keyword.value) {
      case 'script': command = read.commandLine(k); break;
      case 'interval': intervalMs = readWholeSeconds(k, sink, `vrrp_script ${name} interval`) ?? intervalMs; break;
      case 'timeout': timeoutMs = readWholeSeconds(k, sink, `vrrp_script ${name} timeout`) ?? timeoutMs; break;
      case 'weight': {
        const value = read.integer({ ...k, keyword: { ...k.keyword, value: `vrrp_script ${name} weight` } }, -MAX_WEIGHT, MAX_WEIGHT, k.args[0]);
        // (keepalived refuses ±254 here too; only track_script/track_interface correct it)
        if (!k.args[0]) sink.error(k.keyword, `vrrp_script ${name}: weight needs a value`);
        weight = value ?? weight;
        refuseReverse(k.args[1], `vrrp_script ${name}`, sink);
        break;
      }
      case 'rise': rise = read.integer(k, 1, 2147483647) ?? rise; break;
      case 'fall': fall = read.integer(k, 1, 2147483647) ?? fall; break;
      case 'user': user = k.args[0]?.value; if (!user) sink.error(k.keyword, 'user needs a user name'); break;
      case 'init_fail': initFail = read.flag(k); break;
      default: unknown(k, sink, undefined, `vrrp_script ${name}`);
    }
  }
  if (command === undefined) {
    sink.error(s.keyword, `vrrp_script ${name} has no 'script' line`);
    return undefined;
  }
  const argv = splitCommandLine(command);
  warnIfNeedsShell(argv, s.keyword, `vrrp_script ${name}`, sink);
  return { name, at: loc(s.keyword), command, argv, intervalMs, timeoutMs: timeoutMs ?? intervalMs, weight, rise, fall, user, initFail };
}

/** keepalived (and vrrpd) run scripts without a shell: redirections, pipes and `;` are passed as words. */
function warnIfNeedsShell(argv: string[], at: SourceLocation, what: string, sink: DiagnosticSink): void {
  const shellWord = argv.find((w) => /^(\||\|\||&&|;|&)$/.test(w) || /^[<>]/.test(w));
  if (shellWord !== undefined) sink.warning(at, `${what}: '${shellWord}' needs a shell, but keepalived and vrrpd run scripts without one; wrap the command in /bin/sh -c '...'`);
}

/**
 * `notify_* SCRIPT [USER [GROUP]]`, as keepalived reads it: the first word is the script (quote it to
 * give arguments), the next two the user and group it runs as.
 */
function readNotifyKeyword(k: Statement, read: ValueReader, notify: NotifyConfig, sink: DiagnosticSink): boolean {
  const key = ({ notify_master: 'master', notify_backup: 'backup', notify_fault: 'fault', notify_stop: 'stop', notify: 'generic', notify_master_rx_lower_pri: 'masterRxLowerPri' } as const)[k.keyword.value as 'notify'];
  if (!key) return false;
  const [script, user, group, ...extra] = k.args;
  if (!script) { read.commandLine(k); return true; }
  if (notify[key]) { sink.error(k.keyword, `${k.keyword.value} script already given; keepalived ignores this one`); return true; }
  notify[key] = script.quoted ? splitCommandLine(script.value) : [script.value];
  warnIfNeedsShell(notify[key]!, script, k.keyword.value, sink);
  if (user) {
    notify.users = { ...notify.users, [key]: group ? `${user.value} ${group.value}` : user.value };
    if (!script.quoted) sink.warning(user, `${k.keyword.value}: '${user.value}'${group ? ` '${group.value}'` : ''} after the script ${group ? 'are' : 'is'} the user${group ? ' and group' : ''} the script runs as (keepalived's rule); to pass arguments, quote the script with them`);
  }
  if (extra.length > 0) sink.warning(extra[0], `${k.keyword.value}: extra words after the group ignored: ${extra.map((t) => t.value).join(' ')}`);
  return true;
}

function readVip(v: Statement, iface: string | undefined, sink: DiagnosticSink): PendingInstance['vipInterfaceless'][number] | undefined {
  const words = [v.keyword, ...v.args];
  const slash = words[0].value.indexOf('/');
  const addr = slash < 0 ? words[0].value : words[0].value.slice(0, slash);
  const prefix = slash < 0 ? undefined : words[0].value.slice(slash + 1);
  if (!isIpv4(addr)) {
    sink.error(words[0], `virtual_ipaddress: '${words[0].value}' is not an IPv4 address (IPv6 VIPs are not supported by vrrpd)`);
    return undefined;
  }
  let prefixLength = 32;
  if (prefix !== undefined) {
    if (!/^\d+$/.test(prefix) || Number(prefix) > 32) {
      sink.error(words[0], `virtual_ipaddress: '/${prefix}' is not a prefix length 0..32 (keepalived uses /32 with an error)`);
      return undefined;
    }
    prefixLength = Number(prefix);
  }
  const vip: PendingInstance['vipInterfaceless'][number] = { address: addr, prefixLength, interface: iface, at: loc(words[0]) };
  for (let i = 1; i < words.length; i++) {
    const option = words[i].value;
    const value = words[i + 1];
    const needsValue = ['dev', 'label', 'brd', 'broadcast', 'scope'].includes(option);
    if (needsValue && !value) { sink.error(words[i], `virtual_ipaddress: '${option}' needs a value`); return undefined; }
    switch (option) {
      case 'dev': vip.interface = value.value; i++; break;
      case 'label': vip.label = value.value; i++; break;
      case 'brd': case 'broadcast':
        if (!isIpv4(value.value) && value.value !== '+' && value.value !== '-') { sink.error(value, `virtual_ipaddress: broadcast '${value.value}' is not an IPv4 address`); return undefined; }
        vip.broadcast = value.value; i++; break;
      case 'scope': sink.warning(words[i], "virtual_ipaddress: 'scope' is not implemented by vrrpd; ignored"); i++; break;
      default: sink.warning(words[i], `virtual_ipaddress: unknown option '${option}'; ignored`);
    }
  }
  return vip;
}

function readInstance(s: Statement, read: ValueReader, sink: DiagnosticSink): PendingInstance | undefined {
  const name = blockName(s, sink, 'vrrp_instance');
  if (!name) return undefined;
  const p: PendingInstance = { at: loc(s.keyword), name, trackScripts: [], trackInterfaces: [], dontTrackPrimary: false, vips: [], vipInterfaceless: [], unicastPeers: [], notify: {}, garp: {}, failover: pendingFailover() };
  for (const k of s.block!) {
    if (readNotifyKeyword(k, read, p.notify, sink)) continue;
    if (readGarpKeyword(k, read, p.garp, '', sink)) continue;
    if (readInstanceFailoverKeyword(k, read, sink, p.failover)) continue;
    switch (k.keyword.value) {
      case 'state': {
        const t = read.one(k);
        if (!t) break;
        const v = t.value.toUpperCase();
        if (v === 'MASTER' || v === 'BACKUP') p.state = { value: v, at: t };
        else sink.error(t, `state: '${t.value}' is not MASTER or BACKUP`);
        break;
      }
      case 'interface': {
        const t = read.one(k);
        if (t && Buffer.byteLength(t.value) >= 16) sink.error(t, `interface name '${t.value}' is longer than 15 characters (IFNAMSIZ); keepalived ignores it`);
        else if (t) p.interface = t.value;
        break;
      }
      case 'virtual_router_id': p.vrid = read.integer(k, 1, 255); break;
      case 'priority': p.priority = read.integer(k, 1, 255); break;
      case 'advert_int': {
        const t = read.one(k);
        const ms = read.seconds(k, 0.01, 255, t);
        if (t && /\.\d{7,}$/.test(t.value)) sink.warning(t, `advert_int ${t.value} has more than 6 decimals; rounded, as keepalived does (it reports "too many decimal places")`);
        if (t && ms !== undefined) p.advertInt = { ms, at: t };
        break;
      }
      case 'version': { const v = read.integer(k, 2, 3); if (v) p.version = v as VrrpVersion; break; }
      case 'nopreempt': read.flag(k); p.nopreempt = k.keyword; break;
      case 'preempt': read.flag(k); p.nopreempt = undefined; break;
      case 'preempt_delay': { const ms = read.seconds(k, 0, 1000); if (ms !== undefined) p.preemptDelayMs = { ms, at: k.keyword }; break; }
      case 'authentication': {
        p.auth = { at: k.keyword };
        for (const a of read.block(k)) {
          if (a.keyword.value === 'auth_type') {
            const t = read.one(a);
            if (t && (t.value === 'PASS' || t.value === 'AH')) p.auth.type = t.value;
            else if (t) sink.error(t, `auth_type: '${t.value}' is not PASS or AH`);
          } else if (a.keyword.value === 'auth_pass') {
            const t = read.one(a);
            if (t) {
              if (Buffer.byteLength(t.value) > 8) {
                const kept = Buffer.from(t.value).subarray(0, 8).toString();
                sink.warning(t, `auth_pass '${'*'.repeat(t.value.length)}' is ${Buffer.byteLength(t.value)} characters; only the first 8 are used on the wire (keepalived truncates it the same way), so peers must share those 8`);
                p.auth.password = kept;
              } else p.auth.password = t.value;
            }
          } else unknown(a, sink, undefined, 'authentication');
        }
        break;
      }
      case 'track_script':
        for (const t of read.block(k)) {
          const ref: TrackScriptRef = { name: t.keyword.value, at: loc(t.keyword) };
          if (t.args[0]?.value === 'weight') { ref.weight = readWeight(t, t.args[1], read, sink, `track_script ${ref.name}`); refuseReverse(t.args[2], `track_script ${ref.name}`, sink); }
          else if (t.args.length > 0) sink.error(t.args[0], `track_script ${ref.name}: unknown option '${t.args[0].value}' (expected 'weight N'); keepalived ignores the entry`);
          const earlier = p.trackScripts.find((r) => r.name === ref.name);
          if (earlier) sink.warning(t.keyword, `track_script ${ref.name} is already tracked (line ${earlier.at.line}); this entry is ignored, as keepalived does`);
          else p.trackScripts.push(ref);
        }
        break;
      case 'track_interface':
        for (const t of read.block(k)) {
          const ref: TrackInterfaceRef = { name: t.keyword.value, weight: 0, at: loc(t.keyword) };
          if (t.args[0]?.value === 'weight') { ref.weight = readWeight(t, t.args[1], read, sink, `track_interface ${ref.name}`) ?? 0; refuseReverse(t.args[2], `track_interface ${ref.name}`, sink); }
          else if (t.args.length > 0) sink.error(t.args[0], `track_interface ${ref.name}: unknown option '${t.args[0].value}' (expected 'weight N'); keepalived ignores the entry`);
          const earlier = p.trackInterfaces.find((r) => r.name === ref.name);
          if (earlier) sink.warning(t.keyword, `track_interface ${ref.name} is already tracked (line ${earlier.at.line}); this entry is ignored, as keepalived does`);
          else p.trackInterfaces.push(ref);
        }
        break;
      case 'dont_track_primary': p.dontTrackPrimary = read.flag(k); break;
      case 'virtual_ipaddress':
        for (const v of read.block(k)) { const vip = readVip(v, undefined, sink); if (vip) p.vipInterfaceless.push(vip); }
        break;
      case 'mcast_src_ip': p.mcastSrcIp = read.ipv4(k); break;
      case 'unicast_src_ip': p.unicastSrcIp = read.ipv4(k); break;
      case 'unicast_peer':
        for (const u of read.block(k)) {
          if (isIpv4(u.keyword.value)) p.unicastPeers.push(u.keyword.value);
          else sink.error(u.keyword, `unicast_peer: '${u.keyword.value}' is not an IPv4 address`);
        }
        break;
      default: unknown(k, sink, INSTANCE_KEYWORDS, `vrrp_instance ${name}`);
    }
  }
  return p;
}

function finishInstance(p: PendingInstance, globals: GlobalDefs, scripts: VrrpScriptConfig[], sink: DiagnosticSink): InstanceConfig | undefined {
  const where = `(${p.name})`;
  let ok = true;
  if (!p.interface) { sink.error(p.at, `${where} no 'interface' given`); ok = false; }
  if (p.vrid === undefined) { sink.error(p.at, `${where} no 'virtual_router_id' given`); ok = false; }
  const version = p.version ?? globals.vrrpVersion;
  let priority = p.priority;
  if (priority === undefined) {
    priority = p.state?.value === 'MASTER' ? 255 : 100;
    // Only the MASTER case surprises people (it silently makes the node the address owner).
    if (priority === 255) sink.warning(p.at, `${where} no 'priority' given: using 255 because state is MASTER (keepalived's rule: state MASTER means the address owner, 255)`);
  }
  let advertIntervalMs = p.advertInt?.ms ?? 1000;
  if (version === 2 && advertIntervalMs % 1000 !== 0) {
    const rounded = Math.max(1000, Math.round(advertIntervalMs / 1000) * 1000);
    sink.warning(p.advertInt!.at, `${where} VRRPv2 advert_int must be whole seconds: ${advertIntervalMs / 1000} s rounded to ${rounded / 1000} s (use 'version 3' for sub-second adverts)`);
    advertIntervalMs = rounded;
  }
  if (version === 3 && advertIntervalMs > 40950) {
    sink.error(p.advertInt!.at, `${where} VRRPv3 advert_int ${advertIntervalMs / 1000} s is above the maximum 40.95 s`);
    ok = false;
  }
  if (version === 3 && advertIntervalMs % 10 !== 0) {
    const rounded = Math.max(10, Math.round(advertIntervalMs / 10) * 10);
    sink.warning(p.advertInt!.at, `${where} VRRPv3 advert_int has centisecond resolution: ${advertIntervalMs / 1000} s rounded to ${rounded / 1000} s`);
    advertIntervalMs = rounded;
  }
  let nopreempt = p.nopreempt !== undefined;
  let preemptDelayMs = p.preemptDelayMs?.ms ?? 0;
  if (nopreempt && priority === 255) {
    sink.warning(p.nopreempt!, `${where} nopreempt is incompatible with priority 255 (the address owner always preempts); clearing nopreempt`);
    nopreempt = false;
  }
  if (nopreempt && p.state?.value === 'MASTER') {
    sink.warning(p.nopreempt!, `${where} nopreempt will not work with initial state MASTER; clearing nopreempt as keepalived does. Use 'state BACKUP' on every node and set nopreempt on the higher-priority one`);
    nopreempt = false;
  }
  if (preemptDelayMs > 0 && p.state?.value === 'MASTER') {
    sink.warning(p.preemptDelayMs!.at, `${where} preempt_delay will not work with initial state MASTER; clearing preempt_delay as keepalived does`);
    preemptDelayMs = 0;
  }
  if (preemptDelayMs > 0 && nopreempt) {
    sink.warning(p.preemptDelayMs!.at, `${where} preempt_delay is incompatible with nopreempt; clearing preempt_delay`);
    preemptDelayMs = 0;
  }
  let auth: InstanceConfig['auth'];
  if (p.auth) {
    if (version === 3) sink.warning(p.auth.at, `${where} VRRP version 3 does not support authentication; ignoring the authentication block`);
    else if (p.auth.type === 'AH') { sink.error(p.auth.at, `${where} auth_type AH is not supported by vrrpd (and deprecated by RFC 3768); use PASS or none`); ok = false; }
    else if (p.auth.type === undefined) { sink.error(p.auth.at, `${where} authentication block without auth_type`); ok = false; }
    else if (p.auth.password === undefined || p.auth.password === '') { sink.error(p.auth.at, `${where} auth_type PASS needs an auth_pass`); ok = false; }
    else auth = { type: 'PASS', password: p.auth.password };
  }
  const trackScripts: TrackScriptRef[] = [];
  for (const ref of p.trackScripts) {
    if (scripts.some((sc) => sc.name === ref.name)) trackScripts.push(ref);
    else sink.warning(ref.at, `${where} track_script ${ref.name}: no vrrp_script of that name; ignored`);
  }
  if (p.mcastSrcIp && p.unicastSrcIp) sink.warning(p.at, `${where} both mcast_src_ip and unicast_src_ip given; unicast_src_ip is used`);
  if (p.unicastSrcIp && p.unicastPeers.length === 0) sink.warning(p.at, `${where} unicast_src_ip without unicast_peer: adverts go to the multicast group`);
  if (p.vipInterfaceless.length === 0) sink.warning(p.at, `${where} no virtual_ipaddress: the instance elects a master but moves no address`);
  if (!ok) return undefined;
  const iface = p.interface!;
  // The instance's own interface is always watched (down means FAULT); keepalived drops a track entry for it.
  const trackInterfaces = p.trackInterfaces.filter((t) => {
    if (t.name !== iface) return true;
    sink.warning(t.at, `${where} track_interface ${t.name} is the instance's own interface, which is always tracked (down means FAULT); this entry is ignored, as keepalived does`);
    return false;
  });
  const vips: VipConfig[] = p.vipInterfaceless.map((v) => ({ ...v, interface: v.interface ?? iface }));
  const garp: GarpConfig = { ...globals.garp, ...p.garp };
  // An instance's lower-priority GARP settings default to the global ones, not to its own master ones
  // (keepalived's rule, seen in its -d dump).
  return {
    name: p.name, at: p.at, initialState: p.state?.value, interface: iface, vrid: p.vrid!, priority, advertIntervalMs, version,
    nopreempt, preemptDelayMs, auth, trackScripts, trackInterfaces, dontTrackPrimary: p.dontTrackPrimary,
    vips, mcastSrcIp: p.mcastSrcIp, unicastSrcIp: p.unicastSrcIp, unicastPeers: p.unicastPeers, notify: p.notify, garp,
  };
}

function readSyncGroup(s: Statement, read: ValueReader, sink: DiagnosticSink): SyncGroupConfig | undefined {
  const name = blockName(s, sink, 'vrrp_sync_group');
  if (!name) return undefined;
  const group: SyncGroupConfig = { name, at: loc(s.keyword), members: [], notify: {} };
  for (const k of s.block!) {
    if (readNotifyKeyword(k, read, group.notify, sink)) continue;
    if (k.keyword.value === 'group') {
      for (const m of read.block(k)) { group.members.push(m.keyword.value, ...m.args.map((a) => a.value)); }
    } else unknown(k, sink, SYNC_GROUP_KEYWORDS, `vrrp_sync_group ${name}`);
  }
  return group;
}

function checkSyncGroups(groups: SyncGroupConfig[], instances: InstanceConfig[], sink: DiagnosticSink): void {
  const owner = new Map<string, string>();
  for (const g of groups) {
    for (const m of g.members) {
      if (!instances.some((i) => i.name === m)) sink.error(g.at, `vrrp_sync_group ${g.name}: member ${m} is not a vrrp_instance`);
      const other = owner.get(m);
      if (other) sink.error(g.at, `vrrp_sync_group ${g.name}: ${m} is already in sync group ${other}`);
      owner.set(m, g.name);
    }
    if (g.members.length < 2) sink.warning(g.at, `vrrp_sync_group ${g.name} has ${g.members.length} member(s); a sync group needs at least two to mean anything`);
  }
}

function checkDuplicateVrids(instances: InstanceConfig[], sink: DiagnosticSink): void {
  for (let i = 0; i < instances.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = instances[i];
      const b = instances[j];
      if (a.vrid === b.vrid && a.interface === b.interface && a.unicastPeers.length === 0 && b.unicastPeers.length === 0) {
        sink.error(a.at, `(${a.name}) virtual_router_id ${a.vrid} on ${a.interface} is already used by ${b.name} (${b.at.file}:${b.at.line})`);
      }
    }
  }
}

/** Only the position of a token, so configurations hold no lexer internals. */
function loc(token: SourceLocation): SourceLocation {
  return { file: token.file, line: token.line, col: token.col };
}
