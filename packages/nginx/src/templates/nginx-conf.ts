/**
 * nginx.conf with the seed's settings (user root, one worker, 1024 connections, sendfile,
 * keepalive_timeout 65, a server on the declared port serving html/ with the 50x page), plus
 * upstream blocks and a proxy_pass when the playbook declares backends (the load-balancer case).
 */
export interface UpstreamBlock {
  name: string;
  /** `host:port` entries, optionally with parameters (`10.0.0.1:8080 weight=2`). */
  servers: string[];
  /** e.g. least_conn, ip_hash; absent means round robin. */
  balance?: string;
}

export interface NginxConfSettings {
  user: string;
  worker_processes: number | 'auto';
  worker_connections: number;
  listen: number;
  server_name: string;
  root: string;
  keepalive_timeout: number;
  upstreams: UpstreamBlock[];
  /** Name of an upstream to proxy `/` to; absent means serve `root`. */
  proxy_pass?: string;
}

const NAME = /^[A-Za-z0-9_.-]+$/;

function checkWord(what: string, value: string): string {
  if (!value || /[;{}\s'"]/.test(value.replace(/ (weight|max_fails|fail_timeout|backup|down)(=\S+)?/g, ''))) {
    throw new Error(`${what} ${JSON.stringify(value)} is not valid in nginx.conf`);
  }
  return value;
}

export function renderNginxConf(s: NginxConfSettings): string {
  for (const up of s.upstreams) {
    if (!NAME.test(up.name)) throw new Error(`upstream name ${JSON.stringify(up.name)} is not valid`);
    if (up.servers.length === 0) throw new Error(`upstream ${up.name} has no servers`);
  }
  if (s.proxy_pass && !s.upstreams.some((u) => u.name === s.proxy_pass)) {
    throw new Error(`proxy_pass names upstream ${s.proxy_pass}, which is not declared`);
  }
  const upstreams = s.upstreams
    .map((up) => {
      const lines = [`    upstream ${up.name} {`];
      if (up.balance) lines.push(`        ${checkWord('balance', up.balance)};`);
      for (const server of up.servers) lines.push(`        server ${checkWord('upstream server', server)};`);
      lines.push('    }', '');
      return lines.join('\n');
    })
    .join('\n');
  const location = s.proxy_pass
    ? [
        '        location / {',
        `            proxy_pass http://${s.proxy_pass};`,
        '            proxy_set_header Host $host;',
        '            proxy_set_header X-Real-IP $remote_addr;',
        '            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
        '            proxy_next_upstream error timeout http_502 http_503 http_504;',
        '        }',
      ]
    : ['        location / {', `            root ${checkWord('root', s.root)};`, '            index index.html index.htm;', '        }'];
  return [
    '# Managed by haweb (nginx_config): edits here are replaced on the next run.',
    `user ${checkWord('user', s.user)};`,
    `worker_processes ${s.worker_processes};`,
    '',
    'events {',
    `    worker_connections ${s.worker_connections};`,
    '}',
    '',
    'http {',
    '    include mime.types;',
    '    default_type application/octet-stream;',
    '    sendfile on;',
    `    keepalive_timeout ${s.keepalive_timeout};`,
    '',
    ...(upstreams ? [upstreams] : []),
    '    server {',
    // On every address: the VIP is only on the master, and a bind to it would fail on the backup.
    `        listen ${s.listen};`,
    `        server_name ${checkWord('server_name', s.server_name)};`,
    '',
    ...location,
    '',
    '        error_page 500 502 503 504 /50x.html;',
    '        location = /50x.html {',
    `            root ${checkWord('root', s.root)};`,
    '        }',
    '    }',
    '}',
    '',
  ].join('\n');
}
