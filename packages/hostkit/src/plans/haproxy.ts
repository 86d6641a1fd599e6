/**
 * HAProxy's runtime API on its unix "stats socket", as community.general.haproxy uses it: one command
 * line per connection, the whole answer read until HAProxy closes the connection. Pure parsers (the
 * `show stat` CSV, `show info`'s version) and the script that does one exchange on the host.
 *
 * How the host talks to the socket: python3 when it is there (Ansible's own module needs it, and it
 * reads the answer exactly as Ansible's module does: until the server closes), else socat; with
 * neither, the exchange fails with HAPROXY_NO_CLIENT. Nothing else (nc's unix-socket flags differ
 * between the OpenBSD and traditional variants) is tried.
 */
import { shellQuote, type Fact } from '@haweb/core';
import { outputSections } from '../util/sections.js';

/** A server's line of `show stat`, as Ansible's module reports it (state_before, state_after). */
export interface HaproxyServerState {
  status: string;
  weight: string;
  scur: string;
}

/** `show stat`'s CSV (its header starts with `# `) into rows keyed by column name. */
export function parseHaproxyStat(out: string): Record<string, string>[] {
  const lines = out.replace(/^[# ]+/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) return [];
  const header = lines[0].split(',');
  return lines.slice(1).map((l) => {
    const cells = l.split(',');
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
  });
}

/** The backends (rows whose svname is BACKEND), in the order HAProxy lists them. */
export function haproxyBackends(rows: readonly Record<string, string>[]): string[] {
  return rows.filter((r) => r.svname === 'BACKEND').map((r) => r.pxname);
}

/** The server's state in one backend, or in every backend (backend undefined); null when not found. */
export function haproxyServerState(rows: readonly Record<string, string>[], backend: string | undefined, server: string): HaproxyServerState[] | null {
  const found = rows
    .filter((r) => (backend === undefined || r.pxname === backend) && r.svname === server)
    .map((r) => ({ status: r.status, weight: r.weight, scur: r.scur }));
  return found.length ? found : null;
}

/** `show info`'s Version line as [major, minor], or undefined when it cannot be read. */
export function haproxyVersion(info: string): [number, number] | undefined {
  const line = info.split(/\r?\n/).find((l) => l.includes('Version:'));
  if (!line) return undefined;
  const parts = line.slice(line.indexOf(':') + 1).trim().split('.');
  const major = Number(parts[0]);
  const minor = Number(parts[1]);
  return Number.isInteger(major) && Number.isInteger(minor) && parts[0] !== '' && parts[1] !== '' ? [major, minor] : undefined;
}

export interface HaproxyCommandsOptions {
  agent: boolean;
  health: boolean;
  weight?: string;
  shutdownSessions: boolean;
}

/** The command line Ansible's module sends for state enabled, for one backend/server. */
export function haproxyEnableCommand(px: string, sv: string, o: HaproxyCommandsOptions): string {
  const t = `${px}/${sv}`;
  return [`get weight ${t}`, `enable server ${t}`, ...(o.agent ? [`enable agent ${t}`] : []), ...(o.health ? [`enable health ${t}`] : []), ...(o.weight ? [`set weight ${t} ${o.weight}`] : [])].join('; ');
}

/** The command line for state disabled. */
export function haproxyDisableCommand(px: string, sv: string, o: HaproxyCommandsOptions): string {
  const t = `${px}/${sv}`;
  return [`get weight ${t}`, ...(o.agent ? [`disable agent ${t}`] : []), ...(o.health ? [`disable health ${t}`] : []), `disable server ${t}`, ...(o.shutdownSessions ? [`shutdown sessions server ${t}`] : [])].join('; ');
}

/** The command line for state drain (HAProxy 1.5 and later). */
export function haproxyDrainCommand(px: string, sv: string): string {
  return `set server ${px}/${sv} state drain`;
}

export const HAPROXY_NO_CLIENT = 'neither python3 nor socat is installed on the host: one of them is needed to talk to the HAProxy socket';

const MARK = '@@haweb-haproxy@@';

// Reads until HAProxy closes the connection, as Ansible's module does (one command line per connection).
const PY = [
  'import socket, sys',
  's = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)',
  'try:',
  '    s.connect(sys.argv[1])',
  'except OSError as e:',
  '    sys.stderr.write("%s: %s\\n" % (sys.argv[1], e)); sys.exit(2)',
  's.sendall(sys.argv[2].encode() + b"\\n")',
  'out = b""',
  'while True:',
  '    b = s.recv(1024)',
  '    if not b: break',
  '    out += b',
  'sys.stdout.write(out.decode("utf-8", "surrogateescape"))',
].join('\n');

/** A shell script sending one command line to the socket and printing HAProxy's answer. */
export function haproxyExchangeScript(socket: string, command: string): string {
  return [
    'if command -v python3 >/dev/null 2>&1; then',
    `  exec python3 -c ${shellQuote(PY)} ${shellQuote(socket)} ${shellQuote(command)}`,
    'elif command -v socat >/dev/null 2>&1; then',
    `  printf '%s\\n' ${shellQuote(command)} | exec socat -t 5 - UNIX-CONNECT:${shellQuote(socket)}`,
    'fi',
    `echo ${shellQuote(HAPROXY_NO_CLIENT)} >&2; exit 127`,
  ].join('\n');
}

export interface HaproxyExchange {
  rc: number;
  stdout: string;
  stderr: string;
}

/** One read-only exchange (show stat, show info) with the socket. */
export const haproxyRead: Fact<{ socket: string; command: string }, HaproxyExchange> = {
  name: 'haproxy.read',
  command({ socket, command }) {
    return [
      `e=$(mktemp); o=$( (${haproxyExchangeScript(socket, command)}) 2>"$e"); rc=$?`,
      `echo ${MARK}rc; echo "$rc"; echo ${MARK}stderr; cat "$e"; rm -f "$e"; echo ${MARK}stdout; printf '%s\\n' "$o"`,
      'exit 0',
    ].join('\n');
  },
  parse(stdout) {
    const s = outputSections(stdout, MARK);
    return { rc: Number((s.get('rc') ?? '1').trim()), stderr: (s.get('stderr') ?? '').trim(), stdout: s.get('stdout') ?? '' };
  },
};
