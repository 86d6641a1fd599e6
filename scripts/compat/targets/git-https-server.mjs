#!/usr/bin/env node
/**
 * A read-only git server over https for the lab (targets/git.mjs): git's smart HTTP protocol through
 * `git http-backend` (CGI), for the repositories under ROOT.
 *
 *   node git-https-server.mjs ROOT ADDRESS PORT CERT KEY
 *
 * Every repository under ROOT is exported; only fetches are served (http-backend refuses pushes over an
 * unauthenticated request). Started in the lab's bridge namespace, bound to the lab's gateway address.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

const [root, address, port, cert, key] = process.argv.slice(2);
if (!key) {
  console.error('usage: git-https-server.mjs ROOT ADDRESS PORT CERT KEY');
  process.exit(2);
}

const server = createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
  const url = new URL(req.url ?? '/', 'https://lab.invalid');
  const env = {
    PATH: process.env.PATH,
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    REQUEST_METHOD: req.method,
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.replace(/^\?/, ''),
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    REMOTE_ADDR: req.socket.remoteAddress ?? '',
    REMOTE_USER: '',
    ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
    ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] } : {}),
    ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: req.headers['git-protocol'] } : {}),
  };
  const cgi = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  req.pipe(cgi.stdin);
  let head = Buffer.alloc(0);
  let started = false;
  cgi.stdout.on('data', (chunk) => {
    if (started) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    let end = head.indexOf('\r\n\r\n');
    let sep = 4;
    if (end < 0) {
      end = head.indexOf('\n\n');
      sep = 2;
    }
    if (end < 0) return;
    started = true;
    let status = 200;
    for (const line of head.subarray(0, end).toString('latin1').split(/\r?\n/)) {
      const i = line.indexOf(':');
      if (i < 0) continue;
      const name = line.slice(0, i).trim();
      const value = line.slice(i + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 200;
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    res.write(head.subarray(end + sep));
  });
  cgi.on('close', () => {
    if (!started) res.writeHead(502);
    res.end();
  });
  cgi.on('error', () => {
    if (!started) res.writeHead(500);
    res.end();
  });
});
server.listen(Number(port), address);
