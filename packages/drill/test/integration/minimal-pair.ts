/**
 * A minimal HA pair in a lab of the drill's own, so the drill is exercised for real without waiting
 * for the playbooks: on each host a tiny HTTP responder standing in for nginx (same paths and
 * commands: /usr/local/nginx/sbin/nginx [-s stop], logs/nginx.pid, html/index.html, started from
 * rc.local), Debian's keepalived from the controller (binary plus the libraries the host image lacks)
 * behind an LSB init script enabled with update-rc.d, and a health check in the seed's spirit
 * (restart nginx; if it cannot start, fail so the weight -20 moves the VIP).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** What the lab library gives (typed loosely: the drill does not compile against the lab's types). */
export interface LabApi {
  labUp(o: { name: string; subnet: string; hosts?: number }): Promise<LabStateLike>;
  labDown(name: string): Promise<void>;
  hostExec(lab: LabStateLike, host: string, argv: string[], o?: { input?: string | Buffer; allowFailure?: boolean; timeoutMs?: number }): Promise<{ code: number; stdout: string; stderr: string }>;
}

export interface LabStateLike {
  name: string;
  vip: string;
  prefix: number;
  hosts: { name: string; address: string }[];
  client: { netns: string; address: string };
  paths: { inventory: string };
}

const RESPONDER = `#!/usr/bin/python3
# Stand-in for nginx in the drill's integration test: the seed's paths and commands, a tiny server.
import http.server, os, signal, socketserver, sys
PREFIX = '/usr/local/nginx'
PID = PREFIX + '/logs/nginx.pid'
PORT = int(os.environ.get('DRILL_PORT', '88'))
if sys.argv[1:2] == ['-s']:
    try:
        os.kill(int(open(PID).read().strip()), signal.SIGTERM)
    except Exception as e:
        sys.stderr.write('nginx: [error] %s\\n' % e)
        sys.exit(1)
    sys.exit(0)
class Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = open(PREFIX + '/html/index.html', 'rb').read()
        self.send_response(200)
        self.send_header('Content-Type', 'text/html')
        self.send_header('Content-Length', str(len(body)))
        self.send_header('Connection', 'close')
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    allow_reuse_address = True
    daemon_threads = True
try:
    srv = Server(('0.0.0.0', PORT), Page)
except OSError as e:
    sys.stderr.write('nginx: [emerg] bind() to 0.0.0.0:%d failed (%s)\\n' % (PORT, e))
    sys.exit(1)
if os.fork():
    os._exit(0)
os.setsid()
devnull = os.open('/dev/null', os.O_RDWR)
for fd in (0, 1, 2):
    os.dup2(devnull, fd)
open(PID, 'w').write(str(os.getpid()))
def stop(*a):
    try:
        os.unlink(PID)
    finally:
        os._exit(0)
signal.signal(signal.SIGTERM, stop)
srv.serve_forever()
`;

const INIT_SCRIPT = `#!/bin/sh
### BEGIN INIT INFO
# Provides:          keepalived
# Required-Start:    $remote_fs $network
# Required-Stop:     $remote_fs $network
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: keepalived (drill integration test)
### END INIT INFO
PID=/run/keepalived.pid
running() { [ -f $PID ] && kill -0 "$(cat $PID)" 2>/dev/null; }
case "$1" in
  start)
    running && exit 0
    /usr/sbin/keepalived --vrrp -f /etc/keepalived/keepalived.conf -p $PID -r /run/keepalived_vrrp.pid -c /run/keepalived_checkers.pid
    for i in $(seq 50); do running && exit 0; sleep 0.1; done
    exit 1 ;;
  stop)
    if running; then
      kill "$(cat $PID)"
      for i in $(seq 100); do running || break; sleep 0.1; done
    fi
    rm -f $PID
    exit 0 ;;
  status)
    if running; then echo "keepalived is running"; exit 0; fi
    echo "keepalived is not running"; exit 3 ;;
  restart) "$0" stop; "$0" start ;;
  *) echo "usage: $0 start|stop|status|restart" >&2; exit 2 ;;
esac
`;

const CHECK_SCRIPT = `#!/bin/sh
# nginx alive? else start it; if it cannot start, fail: weight -20 makes this node give up the VIP.
P=/usr/local/nginx/logs/nginx.pid
alive() { [ -f $P ] && kill -0 "$(cat $P)" 2>/dev/null; }
alive && exit 0
/usr/local/nginx/sbin/nginx
sleep 1
alive
`;

function keepalivedConf(host: string, address: string, priority: number, vip: string, prefix: number): string {
  return `global_defs {
    router_id ${host}
    enable_script_security
    script_user root
}
vrrp_script chk_nginx {
    script "/etc/keepalived/nginx_check.sh"
    interval 2
    weight -20
}
vrrp_instance VI_1 {
    state ${priority === 100 ? 'MASTER' : 'BACKUP'}
    interface eth1
    virtual_router_id 51
    mcast_src_ip ${address}
    priority ${priority}
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass 1111
    }
    track_script {
        chk_nginx
    }
    virtual_ipaddress {
        ${vip}/${prefix} dev eth1
    }
}
`;
}

/** Libraries keepalived needs that are missing in the host, as a tar of the controller's copies. */
function keepalivedTar(): Buffer {
  const libs = execFileSync('ldd', ['/usr/sbin/keepalived'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => /=>\s+(\/\S+)/.exec(l)?.[1])
    .filter((p): p is string => !!p && existsSync(p));
  // -h: the files, not the symlinks; the host keeps any library it already has (tar --skip-old-files).
  return execFileSync('tar', ['-C', '/', '-chf', '-', 'usr/sbin/keepalived', ...libs.map((p) => p.replace(/^\//, ''))], { maxBuffer: 512 * 1024 * 1024 });
}

export async function installMinimalPair(lab: LabApi, state: LabStateLike, log: (m: string) => void = () => {}): Promise<void> {
  if (!existsSync('/usr/sbin/keepalived')) throw new Error('the controller has no /usr/sbin/keepalived: apt-get install keepalived');
  const tar = keepalivedTar();
  const [master, backup] = state.hosts;
  for (const [i, h] of [master, backup].entries()) {
    const ex = async (argv: string[], input?: string | Buffer) => {
      const r = await lab.hostExec(state, h.name, argv, { input, allowFailure: true, timeoutMs: 60_000 });
      if (r.code !== 0) throw new Error(`${h.name}: ${argv.join(' ')} exited ${r.code}: ${r.stderr}`);
      return r;
    };
    const write = (path: string, content: string, mode: string) =>
      ex(['sh', '-c', `mkdir -p "$(dirname "$1")" && cat > "$1.tmp" && chmod ${mode} "$1.tmp" && mv -f "$1.tmp" "$1"`, 'write', path], content);
    log(`installing the minimal pair on ${h.name}`);
    await ex(['tar', '-C', '/', '--skip-old-files', '-xf', '-'], tar);
    await ex(['mkdir', '-p', '/usr/local/nginx/sbin', '/usr/local/nginx/logs', '/usr/local/nginx/html', '/usr/local/nginx/conf', '/etc/keepalived']);
    await write('/usr/local/nginx/sbin/nginx', RESPONDER, '755');
    await write('/usr/local/nginx/html/index.html', `<html><head><title>Welcome to nginx! ${i + 1}</title></head><body><h1>Welcome to nginx! ${i + 1}</h1></body></html>\n`, '644');
    await write('/etc/init.d/keepalived', INIT_SCRIPT, '755');
    await write('/etc/keepalived/nginx_check.sh', CHECK_SCRIPT, '755');
    await write('/etc/keepalived/keepalived.conf', keepalivedConf(h.name, h.address, i === 0 ? 100 : 90, state.vip, state.prefix), '600');
    await write('/etc/rc.local', '#!/bin/sh -e\n/usr/local/nginx/sbin/nginx || true\nexit 0\n', '755');
    await ex(['update-rc.d', 'keepalived', 'defaults']);
    await ex(['sh', '-c', '/usr/local/nginx/sbin/nginx 2>/dev/null || true; service keepalived start']);
  }
}
