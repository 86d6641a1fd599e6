/** uri's and get_url's failure messages (curl's exit code and text, worded as Ansible's urllib words them) and uri's multipart bodies. */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { downloadConfig, formUrlencoded, httpRequestScript, multipartBody, multipartFiles, parseHttpOutcome, requestFailedMessage } from '../../src/index.js';

describe('requestFailedMessage', () => {
  it.each([
    [7, 'curl: (7) Failed to connect to localhost port 1: Connection refused', 'Request failed: <urlopen error [Errno 111] Connection refused>'],
    [6, 'curl: (6) Could not resolve host: does', 'Request failed: <urlopen error [Errno -2] Name or service not known>'],
    [28, 'curl: (28) Operation timed out', 'Connection failure: timed out'],
    [
      60,
      "curl: (60) SSL: no alternative certificate subject name matches target host name 'fail.ansible.http.tests' More details here: https://curl.se/docs/sslcerts.html  curl failed to verify",
      "Request failed: <urlopen error [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for 'fail.ansible.http.tests'. (_ssl.c:992)>",
    ],
    [
      60,
      'curl: (60) SSL certificate problem: unable to get local issuer certificate More details here: https://curl.se/docs/sslcerts.html',
      'Request failed: <urlopen error [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:992)>',
    ],
    [
      60,
      'curl: (60) SSL certificate problem: self signed certificate in certificate chain',
      'Request failed: <urlopen error [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate in certificate chain (_ssl.c:992)>',
    ],
    [
      35,
      'curl: (35) OpenSSL/3.0.19: error:0A000410:SSL routines::sslv3 alert handshake failure',
      'Request failed: <urlopen error [SSL: SSLV3_ALERT_HANDSHAKE_FAILURE] sslv3 alert handshake failure (_ssl.c:992)>',
    ],
    [37, "curl: (37) Couldn't open file /tmp/x/aurlfile.txtNOFILE", "Request failed: <urlopen error [Errno 2] No such file or directory: '/tmp/x/aurlfile.txtNOFILE'>"],
    [52, 'curl: (52) Empty reply from server', 'Request failed: curl: (52) Empty reply from server'],
  ])('curl exit %i: %s', (exit, stderr, expected) => {
    expect(requestFailedMessage(exit, stderr)).toBe(expected);
  });
});

describe('multipartBody (uri form-multipart)', () => {
  const B = '===============0000000000000000001==';
  const part = (headers: string, content: string) => `--${B}\r\n${headers}\r\n\r\n${content}\r\n`;
  it.each([
    ['a string field is text/plain', { f: 'v' }, part('Content-Type: text/plain\r\nContent-Disposition: form-data; name="f"', 'v')],
    [
      'fields sorted by name; content with a file name and mime type',
      { z: 'last', a: { content: 'text based file content', filename: 'fake.txt', mime_type: 'text/plain' } },
      part('Content-Type: text/plain\r\nContent-Disposition: form-data; name="a"; filename="fake.txt"', 'text based file content') +
        part('Content-Type: text/plain\r\nContent-Disposition: form-data; name="z"', 'last'),
    ],
    [
      "a file's content, its base name sent, its type guessed from the name",
      { f: { filename: '/srv/files/data.json' } },
      part('Content-Type: application/json\r\nContent-Disposition: form-data; name="f"; filename="data.json"', '{"x": 1}\n'),
    ],
    ['an unknown extension is application/octet-stream', { f: { content: 'x', filename: 'a.bin' } }, part('Content-Type: application/octet-stream\r\nContent-Disposition: form-data; name="f"; filename="a.bin"', 'x')],
  ])('%s', (_, body, parts) => {
    const out = multipartBody(body, new Map([['/srv/files/data.json', Buffer.from('{"x": 1}\n')]]), B);
    expect(out.contentType).toBe(`multipart/form-data; boundary="${B}"`);
    expect(out.body.toString()).toBe(`${parts}--${B}--\r\n`);
  });

  it.each([
    [{ integer_value: 1 }, 'failed to parse body as form-multipart: value must be a string, or mapping, cannot be type int'],
    [{ l: [1] }, 'failed to parse body as form-multipart: value must be a string, or mapping, cannot be type list'],
    [{ m: { mime_type: 'text/plain' } }, 'failed to parse body as form-multipart: at least one of filename or content must be provided'],
    [{ m: { filename: 'missing.txt' } }, "failed to parse body as form-multipart: [Errno 2] No such file or directory: 'missing.txt'"],
    [['a'], 'body must be mapping, cannot be type list'],
  ])('%j: %s', (body, message) => {
    expect(() => multipartBody(body, new Map(), B)).toThrow(message);
  });

  it('multipartFiles: the fields whose content comes from a file', () => {
    expect(multipartFiles({ a: { filename: 'x.txt' }, b: { filename: 'y.txt', content: 'c' }, c: 'v', d: { content: 'only' } })).toEqual(['x.txt']);
    expect(multipartFiles('text')).toEqual([]);
  });
});

describe('httpRequestScript with unredirected headers (uri), against a loopback server', () => {
  // /r redirects (301) to /auth, which answers 200 only with the credentials, else 401.
  const serve = () =>
    new Promise<Server>((ok) => {
      const server = createServer((req, res) => {
        if (req.url === '/r') res.writeHead(301, { Location: '/auth' }).end();
        else if (req.headers.authorization === `Basic ${Buffer.from('user:passwd').toString('base64')}`) res.writeHead(200).end('in\n');
        else res.writeHead(401, 'UNAUTHORIZED').end();
      });
      server.listen(0, '127.0.0.1', () => ok(server));
    });
  it.each([
    [[], true, 200],
    [['authorization'], true, 401],
    [['authorization'], false, 301],
  ])('unredirected %j, follow %s -> %i', async (unredirected, follow, code) => {
    const server = await serve();
    try {
      const port = (server.address() as AddressInfo).port;
      const script = httpRequestScript({
        url: `http://127.0.0.1:${port}/r`, method: 'GET', follow, forceBasicAuth: true, hasCredentials: true, timeoutSeconds: 5,
        validateCerts: true, useProxy: false, useNetrc: false, decompress: true, httpAgent: 'ansible-httpget', unredirectedHeaders: unredirected,
      });
      const stdout = await new Promise<string>((ok, ko) => {
        const child = execFile('sh', ['-c', script], { encoding: 'utf8' }, (err, out) => (err ? ko(err) : ok(out)));
        child.stdin!.end(downloadConfig({ username: 'user', password: 'passwd' }, unredirected));
      });
      const out = parseHttpOutcome(stdout);
      rmSync(out.bodyFile, { force: true });
      rmSync(out.headersFile, { force: true });
      expect(out).toMatchObject({ curlExit: 0, code });
    } finally {
      server.close();
    }
  });
});

describe('formUrlencoded: a list of pairs, each unpacked as Python unpacks it', () => {
  it.each([
    [[['a', 1], ['b', 'x y']], 'a=1&b=x+y'],
    [['ab'], 'a=b'],
    [[{ k: 1, v: 2 }], 'k=v'],
  ])('%j -> %s', (body, want) => expect(formUrlencoded(body)).toBe(want));
  it.each([
    [['foo', { bar: 'baz' }], 'failed to parse body as form_urlencoded: too many values to unpack (expected 2)'],
    [[{ bar: 'baz' }], 'failed to parse body as form_urlencoded: not enough values to unpack (expected 2, got 1)'],
    [[['a', 'b', 'c']], 'failed to parse body as form_urlencoded: too many values to unpack (expected 2)'],
  ])('%j: %s', (body, message) => expect(() => formUrlencoded(body)).toThrow(message));
});

describe('httpRequestScript reads the netrc file $NETRC names (use_netrc), against a loopback server', () => {
  it.each([
    [true, 200],
    [false, 401],
  ])('use_netrc %s -> %i', async (useNetrc, code) => {
    const server = await new Promise<Server>((ok) => {
      const s = createServer((req, res) => res.writeHead(req.headers.authorization === `Basic ${Buffer.from('user:passwd').toString('base64')}` ? 200 : 401).end());
      s.listen(0, '127.0.0.1', () => ok(s));
    });
    try {
      const port = (server.address() as AddressInfo).port;
      const netrc = join(mkdtempSync(join(tmpdir(), 'netrc-')), 'netrc');
      writeFileSync(netrc, 'machine 127.0.0.1\nlogin user\npassword passwd\n');
      const script = httpRequestScript({
        url: `http://127.0.0.1:${port}/basic-auth`, method: 'GET', follow: true, forceBasicAuth: false, hasCredentials: false, timeoutSeconds: 5,
        validateCerts: true, useProxy: false, useNetrc, decompress: true, httpAgent: 'ansible-httpget',
      });
      const stdout = await new Promise<string>((ok, ko) => {
        const child = execFile('sh', ['-c', script], { encoding: 'utf8', env: { ...process.env, NETRC: netrc } }, (err, out) => (err ? ko(err) : ok(out)));
        child.stdin!.end(downloadConfig({}));
      });
      const out = parseHttpOutcome(stdout);
      rmSync(out.bodyFile, { force: true });
      rmSync(out.headersFile, { force: true });
      expect(out).toMatchObject({ curlExit: 0, code });
    } finally {
      server.close();
    }
  });
});

describe('httpRequestScript: the method after a redirect, against a loopback server', () => {
  it.each([
    ['POST', true, 301, 'GET'],
    ['POST', true, 307, 'POST'],
    ['GET', false, 302, 'GET'],
  ])('%s (body %s) redirected with %i -> %s', async (method, withBody, status, want) => {
    const server = await new Promise<Server>((ok) => {
      const s = createServer((req, res) => {
        if (req.url === '/r') res.writeHead(status, { Location: '/m' }).end();
        else res.writeHead(200, { 'Content-Type': 'text/plain' }).end(req.method);
      });
      s.listen(0, '127.0.0.1', () => ok(s));
    });
    try {
      const port = (server.address() as AddressInfo).port;
      const bodyFile = join(mkdtempSync(join(tmpdir(), 'body-')), 'body');
      writeFileSync(bodyFile, '{"foo": "bar"}');
      const script = httpRequestScript({
        url: `http://127.0.0.1:${port}/r`, method, bodyFile: withBody ? bodyFile : undefined, follow: true, forceBasicAuth: false, hasCredentials: false,
        timeoutSeconds: 5, validateCerts: true, useProxy: false, useNetrc: false, decompress: true, httpAgent: 'ansible-httpget',
      });
      const stdout = await new Promise<string>((ok, ko) => {
        const child = execFile('sh', ['-c', script], { encoding: 'utf8' }, (err, out) => (err ? ko(err) : ok(out)));
        child.stdin!.end(downloadConfig({}));
      });
      const out = parseHttpOutcome(stdout);
      const got = readFileSync(out.bodyFile, 'utf8');
      rmSync(out.bodyFile, { force: true });
      rmSync(out.headersFile, { force: true });
      expect([out.code, got]).toEqual([200, want]);
    } finally {
      server.close();
    }
  });
});
