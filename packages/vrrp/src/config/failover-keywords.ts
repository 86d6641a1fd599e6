/**
 * The failover keywords of issue 13, read apart from build.ts so the main reader stays as it was:
 * keepalived's `vrrp_track_process` block and an instance's `track_process` references, plus the
 * vrrpd-only `resign` and `peer_priority` instance keywords. build.ts calls these from one place each.
 */
import type { DiagnosticSink, SourceLocation } from './diagnostics.js';
import type { Statement } from './tree.js';
import type { ValueReader } from './values.js';
import { isIpv4 } from '../protocol/address.js';
import type { HandoverConfig, InstanceConfig, ParamMatch, TrackProcessConfig, TrackProcessRef } from './model.js';

/** keepalived accepts ±254 for a track_process weight (253 for scripts); we clamp the same way it clamps. */
const MAX_PROCESS_WEIGHT = 254;

function loc(t: SourceLocation): SourceLocation {
  return { file: t.file, line: t.line, col: t.col };
}

function weightOf(s: Statement, words: Statement['args'], read: ValueReader, sink: DiagnosticSink): number | undefined {
  const token = words[0];
  if (!token) { sink.error(s.keyword, `${s.keyword.value}: weight needs a value`); return undefined; }
  const value = read.integer({ ...s, keyword: { ...s.keyword, value: 'weight' } }, -MAX_PROCESS_WEIGHT, MAX_PROCESS_WEIGHT, token);
  const extra = words[1];
  if (extra && extra.value === 'reverse') sink.warning(extra, "weight 'reverse' is not implemented by vrrpd; ignored");
  else if (extra && extra.value !== 'noreverse') sink.warning(extra, `weight: unexpected '${extra.value}'; ignored`);
  return value;
}

/** `vrrp_track_process NAME { process ... }` at the top level. */
export function readTrackProcess(s: Statement, read: ValueReader, sink: DiagnosticSink): TrackProcessConfig | undefined {
  const nameToken = s.args[0];
  if (!nameToken) { sink.error(s.keyword, 'vrrp_track_process needs a name'); return undefined; }
  const name = nameToken.value;
  if (!s.block) { sink.error(s.keyword, `vrrp_track_process ${name} needs a { ... } block`); return undefined; }
  const t: Omit<TrackProcessConfig, 'process'> & { process?: string } = {
    name, at: loc(s.keyword), params: [], paramMatch: 'exact', paramMatchGiven: false, fullCommand: false,
    weight: 1, quorum: 1, forkDelayMs: 0, terminateDelayMs: 0, fastRecovery: false,
  };
  for (const k of s.block) {
    switch (k.keyword.value) {
      case 'process': {
        if (k.args.length === 0) { sink.error(k.keyword, 'process needs a process name'); break; }
        t.process = k.args[0].value;
        t.params = k.args.slice(1).map((a) => a.value);
        break;
      }
      case 'param_match': {
        const v = read.one(k);
        if (!v) break;
        if (v.value === 'initial' || v.value === 'partial') { t.paramMatch = v.value as ParamMatch; t.paramMatchGiven = true; }
        else sink.error(v, `param_match: '${v.value}' is not initial or partial`);
        break;
      }
      case 'weight': t.weight = weightOf(k, k.args, read, sink) ?? t.weight; break;
      case 'quorum': t.quorum = read.integer(k, 1, 65535) ?? t.quorum; break;
      case 'quorum_max': t.quorumMax = read.integer(k, 0, 65535) ?? t.quorumMax; break;
      case 'fork_delay': t.forkDelayMs = read.seconds(k, 0, 86400) ?? t.forkDelayMs; break;
      case 'terminate_delay': t.terminateDelayMs = read.seconds(k, 0, 86400) ?? t.terminateDelayMs; break;
      case 'delay': { const ms = read.seconds(k, 0, 86400); if (ms !== undefined) { t.forkDelayMs = ms; t.terminateDelayMs = ms; } break; }
      case 'fast_recovery': t.fastRecovery = read.optionalBoolean(k) ?? t.fastRecovery; break;
      case 'full_command': t.fullCommand = read.optionalBoolean(k) ?? t.fullCommand; break;
      default: sink.warning(k.keyword, `unknown keyword '${k.keyword.value}' at vrrp_track_process ${name}; ignored`);
    }
  }
  if (t.process === undefined) { sink.error(s.keyword, `vrrp_track_process ${name} has no 'process' line`); return undefined; }
  if (t.quorumMax !== undefined && t.quorumMax < t.quorum) {
    sink.error(s.keyword, `vrrp_track_process ${name}: quorum_max ${t.quorumMax} is below quorum ${t.quorum}, so it could never be up`);
    return undefined;
  }
  return t as TrackProcessConfig;
}

/** Per-instance state the keywords below fill while the instance block is read. */
export interface PendingFailover {
  trackProcesses: TrackProcessRef[];
  handover: HandoverConfig;
}

export function pendingFailover(): PendingFailover {
  return { trackProcesses: [], handover: { resign: false, peerPriorities: [] } };
}

/** Reads `track_process`, `resign` and `peer_priority` inside vrrp_instance; false for other keywords. */
export function readInstanceFailoverKeyword(k: Statement, read: ValueReader, sink: DiagnosticSink, p: PendingFailover): boolean {
  switch (k.keyword.value) {
    case 'track_process':
      for (const t of read.block(k)) {
        const ref: TrackProcessRef = { name: t.keyword.value, at: loc(t.keyword) };
        if (t.args[0]?.value === 'weight') ref.weight = weightOf(t, t.args.slice(1), read, sink);
        else if (t.args.length > 0) sink.warning(t.args[0], `track_process ${ref.name}: unexpected '${t.args[0].value}' (expected 'weight N'); ignored`);
        p.trackProcesses.push(ref);
      }
      return true;
    case 'resign': {
      const on = read.optionalBoolean(k);
      if (on !== undefined) p.handover.resign = on;
      return true;
    }
    case 'peer_priority': {
      const [address, priority, ...rest] = k.args;
      if (!address || !priority) { sink.error(k.keyword, 'peer_priority needs an address and a priority: peer_priority 192.0.2.2 90'); return true; }
      if (!isIpv4(address.value)) { sink.error(address, `peer_priority: '${address.value}' is not an IPv4 address`); return true; }
      const value = read.integer(k, 1, 255, priority);
      if (rest.length > 0) sink.warning(rest[0], `peer_priority: extra words ignored: ${rest.map((r) => r.value).join(' ')}`);
      if (value !== undefined) p.handover.peerPriorities.push({ address: address.value, priority: value, at: loc(k.keyword) });
      return true;
    }
    default:
      return false;
  }
}

/** Checks the references against the blocks and returns the instance's additions. */
export function finishFailover(where: string, at: SourceLocation, p: PendingFailover, blocks: readonly TrackProcessConfig[], sink: DiagnosticSink): Pick<InstanceConfig, 'trackProcesses' | 'handover'> {
  const trackProcesses = p.trackProcesses.filter((ref) => {
    if (blocks.some((b) => b.name === ref.name)) return true;
    sink.warning(ref.at, `${where} track_process ${ref.name}: no vrrp_track_process of that name; ignored`);
    return false;
  });
  if (p.handover.resign && p.handover.peerPriorities.length === 0) {
    // Not an error: adverts heard from the peers teach their priorities too.
    sink.warning(at, `${where} resign without peer_priority: only priorities heard in adverts count, so a master that never heard its backup does not resign`);
  }
  return { trackProcesses, handover: p.handover };
}
