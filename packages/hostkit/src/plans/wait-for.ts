/**
 * Ansible's wait_for as one bounded wait on the host. The loop runs where Ansible's runs (on the host:
 * a port on the host's own 127.0.0.1 is only reachable from there), in the host's python3 (which every
 * host Ansible manages has, and whose `re` is the regular expression syntax playbooks write). The
 * arguments travel as JSON on standard input; the script is constant text; the outcome is one JSON line.
 */

export interface WaitForArgs {
  host: string;
  port?: number;
  path?: string;
  search_regex?: string;
  state: 'started' | 'present' | 'stopped' | 'absent' | 'drained';
  timeout: number;
  connect_timeout: number;
  delay: number;
  sleep: number;
  exclude_hosts?: string[];
  active_connection_states: string[];
  msg?: string;
}

/** Argument errors Ansible reports before waiting (elapsed 0). */
export function waitForArgumentError(a: WaitForArgs): string | undefined {
  if (a.port !== undefined && a.path !== undefined) return 'port and path parameter can not both be passed to wait_for';
  if (a.path !== undefined && a.state === 'stopped') return 'state=stopped should only be used for checking a port in the wait_for module';
  if (a.path !== undefined && a.state === 'drained') return 'state=drained should only be used for checking a port in the wait_for module';
  if (a.exclude_hosts !== undefined && a.state !== 'drained') return 'exclude_hosts should only be with state=drained';
  const known = Object.keys(TCP_STATES);
  const bad = a.active_connection_states.find((s) => !known.includes(s));
  if (bad !== undefined) return `unknown active_connection_state (${bad}) defined`;
  return undefined;
}

/** /proc/net/tcp's state numbers (Ansible's LinuxTCPConnectionInfo). */
export const TCP_STATES: Record<string, string> = {
  ESTABLISHED: '01', SYN_SENT: '02', SYN_RECV: '03', FIN_WAIT1: '04', FIN_WAIT2: '05', TIME_WAIT: '06',
  CLOSE: '07', CLOSE_WAIT: '08', LAST_ACK: '09', LISTEN: '0A', CLOSING: '0B',
};

/** The wait itself; reads WaitForArgs (plus `tcp_states`) as JSON from stdin. */
export const WAIT_FOR_SCRIPT = String.raw`
import json, os, re, socket, sys, time
a = json.load(sys.stdin)
start = time.time()
def done(**kw):
    kw['elapsed'] = int(time.time() - start)
    # Ansible adds the facts of an existing 'path' to any result that names one (its state included).
    p = kw.get('path')
    if p is not None and os.path.exists(p):
        import grp, pwd, stat
        st = os.lstat(p)
        try:
            kw['owner'] = pwd.getpwuid(st.st_uid)[0]
        except KeyError:
            kw['owner'] = str(st.st_uid)
        try:
            kw['group'] = grp.getgrgid(st.st_gid)[0]
        except KeyError:
            kw['group'] = str(st.st_gid)
        kw.update(uid=st.st_uid, gid=st.st_gid, mode='0%03o' % stat.S_IMODE(st.st_mode), size=st.st_size)
        kw['state'] = 'link' if os.path.islink(p) else 'directory' if os.path.isdir(p) else 'hard' if os.stat(p).st_nlink > 1 else 'file'
    print(json.dumps(kw))
    sys.exit(0)
def fail(msg):
    done(failed=True, msg=a.get('msg') or msg)
rx = None
if a.get('search_regex') is not None:
    try:
        rx = re.compile(a['search_regex'].encode(), re.MULTILINE)
    except re.error as e:
        done(failed=True, msg='Invalid regular expression: %s' % e)
host, port, path, state = a['host'], a.get('port'), a.get('path'), a['state']
groups, groupdict = [], {}
if a['delay']:
    time.sleep(a['delay'])
end = start + a['timeout']
def connect(t):
    s = socket.create_connection((host, port), t)
    return s
def close(s):
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    s.close()
def active():
    wanted = set(a['tcp_states'])
    excluded = set()
    for h in a.get('exclude_hosts') or []:
        try:
            excluded.update(i[4][0] for i in socket.getaddrinfo(h, None))
        except OSError:
            excluded.add(h)
    n = 0
    for f in ('/proc/net/tcp', '/proc/net/tcp6'):
        try:
            lines = open(f).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            p = line.split()
            lport = int(p[1].split(':')[1], 16)
            if lport == port and p[3] in wanted:
                raw = p[2].split(':')[0]
                if len(raw) == 8:
                    peer = socket.inet_ntop(socket.AF_INET, bytes.fromhex(raw)[::-1])
                else:
                    b = bytes.fromhex(raw)
                    peer = socket.inet_ntop(socket.AF_INET6, b''.join(b[i:i + 4][::-1] for i in range(0, 16, 4)))
                    if peer.startswith('::ffff:'):
                        peer = peer[7:]
                if peer not in excluded:
                    n += 1
    return n
if port is None and path is None and state != 'drained':
    time.sleep(a['timeout'])
elif state in ('absent', 'stopped'):
    while time.time() < end:
        if path is not None:
            if not os.access(path, os.F_OK):
                break
        else:
            try:
                close(connect(a['connect_timeout']))
            except Exception:
                break
        time.sleep(a['sleep'])
    else:
        fail('Timeout when waiting for %s:%s to stop.' % (host, port) if port is not None else 'Timeout when waiting for %s to be absent.' % path)
elif state in ('started', 'present'):
    while time.time() < end:
        if path is not None:
            try:
                os.stat(path)
            except OSError as e:
                if e.errno != 2:
                    fail('Failed to stat %s, %s' % (path, e.strerror))
            else:
                if rx is None:
                    break
                try:
                    m = rx.search(open(path, 'rb').read())
                except IOError:
                    m = None
                if m:
                    groupdict = {k: v.decode('utf-8', 'replace') if v is not None else None for k, v in m.groupdict().items()}
                    groups = [g.decode('utf-8', 'replace') if g is not None else None for g in m.groups()]
                    break
        else:
            try:
                s = connect(min(a['connect_timeout'], max(1, int(end - time.time() + 0.999))))
            except Exception:
                s = None
            if s is not None:
                if rx is None:
                    close(s)
                    break
                data, matched = b'', False
                s.settimeout(max(0.1, end - time.time()))
                while time.time() < end:
                    try:
                        chunk = s.recv(1024)
                    except socket.timeout:
                        continue
                    if not chunk:
                        break
                    data += chunk
                    if rx.search(data):
                        matched = True
                        break
                close(s)
                if matched:
                    break
        time.sleep(a['sleep'])
    else:
        if port is not None:
            fail('Timeout when waiting for search string %s in %s:%s' % (a['search_regex'], host, port) if rx else 'Timeout when waiting for %s:%s' % (host, port))
        fail('Timeout when waiting for search string %s in %s' % (a['search_regex'], path) if rx else 'Timeout when waiting for file %s' % path)
elif state == 'drained':
    while time.time() < end:
        if active() == 0:
            break
        time.sleep(a['sleep'])
    else:
        fail('Timeout when waiting for %s:%s to drain' % (host, port))
done(state=state, port=port, search_regex=a.get('search_regex'), match_groups=groups, match_groupdict=groupdict, path=path)
`;

export interface WaitForOutcome {
  failed?: boolean;
  msg?: string;
  elapsed: number;
  [key: string]: unknown;
}

/** The script's one JSON line (the last line of its output), or why there is none. */
export function parseWaitFor(stdout: string, stderr: string, code: number): WaitForOutcome {
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    const parsed = JSON.parse(line) as WaitForOutcome;
    if (typeof parsed === 'object' && parsed !== null && typeof parsed.elapsed === 'number') return parsed;
  } catch {
    // fall through
  }
  const why = code === 127 ? 'python3 is not installed on the host (wait_for runs its wait there, as Ansible does)' : `exit ${code}: ${(stderr || stdout).trim().split('\n').slice(-3).join(' | ')}`;
  return { failed: true, msg: `wait_for could not wait on the host: ${why}`, elapsed: 0 };
}
