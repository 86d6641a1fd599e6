/**
 * ansible-test's HTTP test container (`needs/httptester`: targets get_url and uri), rebuilt inside the lab
 * for ansible-targets.mjs; the same setup for both tools.
 *
 * What the targets expect of it (their prepare_http_tests role and their tasks):
 *  - the names ansible.http.tests, sni1.ansible.http.tests, sni2.ansible.http.tests,
 *    fail.ansible.http.tests and self-signed.ansible.http.tests resolve to it (here: lines in the target
 *    host's /etc/hosts, taken out again at the end);
 *  - over http and https, ansible.http.tests (and any name without a server of its own: fail.* on https)
 *    answers as httpbin, except /cacert.pem, /ca2cert.pem, /client.pem, /client.key (files) and
 *    /ssl_client_verify ("ansible.http.tests:" and the client certificate's verification: NONE, SUCCESS, ...);
 *    https asks for an optional client certificate signed by the CA;
 *  - sni1/sni2 answer their own name over https with their own certificate; fail.* redirects http to https,
 *    where the default certificate (ansible.http.tests's) does not match its name; self-signed.* answers
 *    its name on port 444 with a certificate of a second CA (ca2cert.pem);
 *  - prepare_http_tests installs cacert.pem into the host's trust store and fetches client.pem/client.key.
 *
 * Here: two CAs and the server and client certificates are made per run with openssl on the controller; the
 * server is the lab's second host when there is one (else the target host itself): Debian's python3-httpbin
 * under gunicorn on 127.0.0.1:8000, nginx in front on 80, 443 and 444; the packages come from a flat
 * repository (lab-repo.mjs's ensureRepo) served for the run from the lab's bridge namespace.
 * prepare_http_tests decides whether the container is there from the environment variable HTTPTESTER;
 * both tools run with HTTPTESTER=1, as ansible-test sets it. Its Kerberos part needs KRB5_PASSWORD and
 * is not set up (the targets skip their gssapi tasks then).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureRepo } from '../lab-repo.mjs';

export const HTTP_TARGETS = ['get_url', 'uri'];
const NAMES = ['ansible.http.tests', 'sni1.ansible.http.tests', 'sni2.ansible.http.tests', 'fail.ansible.http.tests', 'self-signed.ansible.http.tests'];
const PACKAGES = ['python3-httpbin', 'gunicorn', 'nginx'];
const PORT = 8082;
const LIST = '/etc/apt/sources.list.d/haweb-httptester.list';
const HOSTS_MARK = '# haweb httptester';
const ROOT = '/etc/haweb-httptester';

function sh(cmd, argv, o = {}) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...o });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The CAs and certificates, made in `dir` on the controller. */
function makeCerts(dir) {
  const ssl = (...a) => sh('openssl', a, { cwd: dir });
  const ca = (name, cn) => {
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', `/O=haweb lab/CN=${cn}`, '-keyout', `${name}-key.pem`, '-out', `${name}.pem`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  };
  const leaf = (caName, cn, usage) => {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/O=haweb lab/CN=${cn}`, '-keyout', `${cn}-key.pem`, '-out', `${cn}.csr`);
    writeFileSync(join(dir, `${cn}.ext`), `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=${usage}\nsubjectAltName=DNS:${cn}\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid,issuer\n`);
    ssl('x509', '-req', '-in', `${cn}.csr`, '-CA', `${caName}.pem`, '-CAkey', `${caName}-key.pem`, '-CAcreateserial', '-days', '30', '-extfile', `${cn}.ext`, '-out', `${cn}-cert.pem`);
  };
  ca('ca', 'ansible.http.tests');
  ca('ca2', 'ca2.ansible.http.tests');
  for (const n of ['ansible.http.tests', 'sni1.ansible.http.tests', 'sni2.ansible.http.tests']) leaf('ca', n, 'serverAuth');
  leaf('ca', 'client.ansible.http.tests', 'clientAuth');
  leaf('ca2', 'self-signed.ansible.http.tests', 'serverAuth');
}

/**
 * nginx's sites. TLS is 1.2 at most: the targets' cipher tests (ciphers.yml) pick TLS 1.2 cipher suites
 * and expect a suite the server cannot use to fail the request, which holds only where TLS 1.3 (whose
 * suites a client's cipher list does not restrict) is not offered.
 */
function nginxConf() {
  const tls = (cn) => `    ssl_certificate ${ROOT}/${cn}-cert.pem;\n    ssl_certificate_key ${ROOT}/${cn}-key.pem;\n    ssl_protocols TLSv1.2;\n`;
  const file = (name, src) => `    location = /${name} {\n        alias ${ROOT}/${src};\n    }\n`;
  const fixed = (cn) => `server {\n    listen 80;\n    listen 443 ssl;\n    server_name ${cn};\n${tls(cn)}    location / {\n        return 200 "${cn}";\n    }\n}\n`;
  return [
    'server {',
    '    listen 80 default_server;',
    '    listen 443 ssl default_server;',
    '    server_name ansible.http.tests _;',
    tls('ansible.http.tests'),
    `    ssl_client_certificate ${ROOT}/ca.pem;`,
    '    ssl_verify_client optional;',
    file('cacert.pem', 'ca.pem'),
    file('ca2cert.pem', 'ca2.pem'),
    file('client.pem', 'client.ansible.http.tests-cert.pem'),
    file('client.key', 'client.ansible.http.tests-key.pem'),
    '    location = /ssl_client_verify {',
    '        return 200 "ansible.http.tests:$ssl_client_verify";',
    '    }',
    '    location / {',
    '        proxy_pass http://127.0.0.1:8000;',
    '        proxy_set_header Host $http_host;',
    '        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    '        proxy_set_header X-Forwarded-Proto $scheme;',
    '        proxy_redirect off;',
    '    }',
    '}',
    fixed('sni1.ansible.http.tests'),
    fixed('sni2.ansible.http.tests'),
    'server {',
    '    listen 80;',
    '    listen 444 ssl;',
    '    server_name self-signed.ansible.http.tests;',
    tls('self-signed.ansible.http.tests'),
    '    location / {',
    '        return 200 "self-signed.ansible.http.tests";',
    '    }',
    '}',
    'server {',
    '    listen 80;',
    '    server_name fail.ansible.http.tests;',
    '    rewrite /(.*) https://$host/$1 permanent;',
    '}',
    '',
  ].join('\n');
}

/**
 * httpbin as the container serves it: Ansible's form-multipart sends a file's content base64-encoded
 * with a Content-Transfer-Encoding header, which the container's httpbin returns decoded (uri's
 * main.yml:560 expects the file's text) and Debian's (0.7.0, Werkzeug 2.2) returns as sent. This WSGI
 * wrapper decodes such parts before httpbin reads the form; every other request passes unchanged.
 */
const WSGI_WRAPPER = `import base64, email.parser, io
from httpbin import app as httpbin_app

def _decoded(body, content_type):
    msg = email.parser.BytesParser().parsebytes(b'Content-Type: ' + content_type.encode() + b'\\r\\n\\r\\n' + body)
    if not msg.is_multipart() or not any(p.get('Content-Transfer-Encoding', '').lower() == 'base64' for p in msg.get_payload()):
        return None
    boundary = msg.get_boundary().encode()
    out = b''
    for part in msg.get_payload():
        headers = b''.join(('%s: %s\\r\\n' % (k, v)).encode() for k, v in part.items() if k.lower() != 'content-transfer-encoding')
        out += b'--' + boundary + b'\\r\\n' + headers + b'\\r\\n' + part.get_payload(decode=True) + b'\\r\\n'
    return out + b'--' + boundary + b'--\\r\\n'

def app(environ, start_response):
    content_type = environ.get('CONTENT_TYPE', '')
    if content_type.startswith('multipart/form-data'):
        body = environ['wsgi.input'].read(int(environ.get('CONTENT_LENGTH') or 0))
        decoded = _decoded(body, content_type)
        if decoded is not None:
            body = decoded
        environ['wsgi.input'] = io.BytesIO(body)
        environ['CONTENT_LENGTH'] = str(len(body))
    return httpbin_app(environ, start_response)
`;

/**
 * The setup roles, adapted (the same for both tools):
 *  - setup_remote_constraints copies ansible-test's pip constraints (test/lib, not exported with the
 *    targets); only prepare_http_tests's Kerberos part reads them (pip): it does nothing here;
 *  - prepare_http_tests's Kerberos part (kerberos.yml: pip's gssapi and the role's own Python module
 *    httptester_kinit) runs only with ansible-test's KRB5_PASSWORD, which this lab has no KDC for: the
 *    file is empty, as its tasks would all be skipped (the targets skip their gssapi tests without it).
 */
export function adaptHttptesterRoles(targetsDir) {
  const constraints = join(targetsDir, 'setup_remote_constraints');
  rmSync(constraints, { recursive: true, force: true });
  mkdirSync(join(constraints, 'tasks'), { recursive: true });
  writeFileSync(join(constraints, 'tasks/main.yml'), '[]\n');
  writeFileSync(join(targetsDir, 'prepare_http_tests/tasks/kerberos.yml'), '[]\n');
}

/**
 * Starts the httptester for the run: `exec(hostName, script, input?)` runs a shell script on a lab host.
 * Returns { env, stop }: env is what both tools' runs get in their environment.
 */
export function startHttptester({ state, exec, target, work }) {
  const server = state.hosts.find((h) => h.name !== target) ?? state.hosts.find((h) => h.name === target);
  const dir = join(work, 'httptester');
  mkdirSync(dir, { recursive: true });
  makeCerts(dir);
  writeFileSync(join(dir, 'default.conf'), nginxConf());
  writeFileSync(join(dir, 'haweb_httpbin.py'), WSGI_WRAPPER);
  const repo = ensureRepo(state.image.rootfs, PACKAGES);
  const probe = () => spawnSync('ip', ['netns', 'exec', state.bridgeNetns, 'bash', '-c', `exec 3<>/dev/tcp/${state.gateway}/${PORT}`]).status === 0;
  if (probe()) throw new Error(`port ${PORT} at ${state.gateway} is already served in the lab's bridge namespace`);
  const repoServer = spawn('ip', ['netns', 'exec', state.bridgeNetns, 'python3', '-m', 'http.server', String(PORT), '--bind', state.gateway, '--directory', repo], { detached: true, stdio: 'ignore' });
  repoServer.unref();
  const stopRepo = () => {
    try {
      if (repoServer.pid) process.kill(repoServer.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  try {
    let up = false;
    for (let i = 0; i < 100 && !up; i++) {
      up = probe();
      if (!up) spawnSync('sleep', ['0.1']);
    }
    if (!up) throw new Error('the httptester package repository does not answer');
    const files = spawnSync('tar', ['-C', dir, '-cf', '-', '--exclude=*.csr', '--exclude=*.ext', '--exclude=*.srl', '.'], { encoding: 'buffer' }).stdout;
    exec(server.name, `rm -rf ${ROOT} && mkdir -p ${ROOT} && tar -C ${ROOT} -xf - && chmod 644 ${ROOT}/*`, files);
    exec(
      server.name,
      [
        `echo 'deb [trusted=yes] http://${state.gateway}:${PORT}/ ./' > ${LIST}`,
        `apt-get update -q -o Dir::Etc::sourcelist=${LIST} -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0 >/dev/null`,
        // the packages' scripts must not start nginx with its default site: it is started below
        "printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d",
        `DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ${PACKAGES.join(' ')} >/dev/null`,
        `rm -f /usr/sbin/policy-rc.d ${LIST} /etc/nginx/sites-enabled/default && cp ${ROOT}/default.conf /etc/nginx/sites-enabled/httptester`,
        '[ -f /run/httptester-gunicorn.pid ] && kill "$(cat /run/httptester-gunicorn.pid)" 2>/dev/null; nginx -s stop 2>/dev/null; sleep 0.5',
        `gunicorn -D -p /run/httptester-gunicorn.pid -b 127.0.0.1:8000 -w 2 --chdir ${ROOT} haweb_httpbin:app >/dev/null 2>&1`,
        'nginx -t 2>&1 && nginx </dev/null >/dev/null 2>&1',
      ].join(' && '),
    );
  } finally {
    stopRepo();
  }
  const address = server.address;
  exec(target, `sed -i '/${HOSTS_MARK}/d' /etc/hosts && echo '${address} ${NAMES.join(' ')} ${HOSTS_MARK}' >> /etc/hosts`);
  // wait (at most 15 s) until httpbin answers through nginx from the target host
  const check = 'python3 -c "import urllib.request,sys; sys.exit(0 if b\'origin\' in urllib.request.urlopen(\'http://ansible.http.tests/get\', timeout=2).read() else 1)"';
  let ok = false;
  for (let i = 0; i < 30 && !ok; i++) {
    try {
      exec(target, check);
      ok = true;
    } catch {
      spawnSync('sleep', ['0.5']);
    }
  }
  if (!ok) throw new Error(`the httptester on ${server.name} (${address}) does not answer http://ansible.http.tests/get from ${target}`);
  return {
    env: { HTTPTESTER: '1' },
    stop() {
      try {
        exec(target, `sed -i '/${HOSTS_MARK}/d' /etc/hosts; rm -f /usr/local/share/ca-certificates/ansible.crt; update-ca-certificates --fresh >/dev/null 2>&1; ${STOP_TESTSERVERS}`);
        exec(server.name, '[ -f /run/httptester-gunicorn.pid ] && kill "$(cat /run/httptester-gunicorn.pid)"; nginx -s stop; true');
      } catch (err) {
        console.error(`httptester: stop: ${err.message}`);
      }
    },
  };
}

/**
 * Before each tool's run: the cacert a run installed (prepare_http_tests) is taken out again, and the
 * targets' own local test servers a run left (get_url and uri start files/testserver.py from their
 * remote_tmp_dir with `async: 90, poll: 0`, which outlive the run; a later run's server then cannot bind
 * its port and the old one, its folder deleted, answers with an empty reply) are stopped, by pid.
 */
const STOP_TESTSERVERS =
  'for p in /proc/[0-9]*; do tr "\\0" " " < $p/cmdline 2>/dev/null | grep -q "/tmp/ansible-targets\\.[^/ ]*/testserver\\.py" && kill ${p#/proc/} 2>/dev/null; done; true';
// Their ports (get_url 27617, uri 15260) stay taken while closed connections linger (TIME_WAIT, up to
// 60 s): the next server's bind (no SO_REUSEADDR) would fail. Wait for them, at most 90 s.
const WAIT_PORTS = 'i=0; while [ $i -lt 90 ] && ss -tanH | awk \'{print $4}\' | grep -qE ":(27617|15260)$"; do sleep 1; i=$((i+1)); done; true';
export function resetHttptesterTarget(exec, target) {
  exec(target, `rm -f /usr/local/share/ca-certificates/ansible.crt && update-ca-certificates --fresh >/dev/null 2>&1; ${STOP_TESTSERVERS}; ${WAIT_PORTS}`);
}
