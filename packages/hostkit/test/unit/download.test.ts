/** get_url's pure parts: checksum arguments and files, the download script's output, file names, the install plan. */
import { describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  checksumFromFile,
  CHECKSUM_ALGORITHMS,
  downloadConfig,
  downloadFileName,
  downloadScript,
  parseChecksumArg,
  parseDownload,
  planInstallDownload,
  stepText,
  type FileInfo,
} from '../../src/index.js';

describe('parseChecksumArg', () => {
  it.each([
    ['sha256:ABCDEF01', { algorithm: 'sha256', digest: 'abcdef01' }],
    ['sha1: ab:cd ef', { algorithm: 'sha1', digest: 'abcdef' }],
    ['SHA256:ab', { algorithm: 'sha256', digest: 'ab' }],
    ['sha256:http://h/SHA256SUMS', { algorithm: 'sha256', url: 'http://h/SHA256SUMS' }],
    ['sha512:file:///srv/sums', { algorithm: 'sha512', url: 'file:///srv/sums' }],
    ['abcdef', { error: 'The checksum parameter has to be in format <algorithm>:<checksum>' }],
    ['sha256:xyz', { error: 'The checksum format is invalid' }],
    ['crc32:ab', { error: 'unsupported checksum algorithm "crc32" (one of md5, sha1, sha224, sha256, sha384, sha512)' }],
  ])('%s', (value, want) => {
    expect(parseChecksumArg(value, CHECKSUM_ALGORITHMS)).toEqual(want);
  });
});

describe('checksumFromFile', () => {
  it.each([
    ['a lone digest', 'ABCD\n', 'x.tgz', 'abcd'],
    ['sha256sum text mode', 'aa  a.txt\nbb  x.tgz\n', 'x.tgz', 'bb'],
    ['sha256sum binary mode', 'aa *x.tgz\n', 'x.tgz', 'aa'],
    ['a leading ./', 'cc  ./x.tgz\r\n', 'x.tgz', 'cc'],
    ['not listed', 'aa  a.txt\nbb  b.txt\n', 'x.tgz', undefined],
  ])('%s', (_, text, name, want) => {
    expect(checksumFromFile(text, name)).toBe(want);
  });
});

describe('downloadFileName', () => {
  it.each([
    ['the URL\'s last segment', {}, 'http://h/dl/nginx-1.24.0.tar.gz?x=1', 'nginx-1.24.0.tar.gz'],
    ['index.html for a folder URL', {}, 'http://h/', 'index.html'],
    ['Content-Disposition wins', { contentDisposition: 'attachment; filename="real.tgz"' }, 'http://h/get?id=3', 'real.tgz'],
    ['a path in Content-Disposition is cut to its name', { contentDisposition: 'attachment;filename=../../etc/passwd' }, 'http://h/x', 'passwd'],
    ['inline disposition is ignored', { contentDisposition: 'inline; filename="a.txt"' }, 'http://h/b.txt', 'b.txt'],
    ['the URL after redirects', { effectiveUrl: 'http://h/final.bin' }, 'http://h/latest', 'final.bin'],
    ['percent-encoding decoded', {}, 'file:///srv/a%20b.txt', 'a b.txt'],
  ])('%s', (_, outcome, url, want) => {
    expect(downloadFileName({ effectiveUrl: '', ...outcome }, url)).toBe(want);
  });
});

describe('parseDownload', () => {
  it.each([
    [
      'an HTTP 200',
      'code=200\nurl=http://h/a.txt\nrc=0\ntmp=/d/.haweb-download.Ab12\nstatus=HTTP/1.0 200 OK\nlength=19\nsize=19\nsha1=abc\ndigest=def\nstderr=\n',
      { curlExit: 0, code: 200, reason: 'OK', effectiveUrl: 'http://h/a.txt', tmp: '/d/.haweb-download.Ab12', contentLength: '19', size: 19, sha1: 'abc', digest: 'def', stderr: '' },
    ],
    [
      'a 404 with its reason phrase',
      'code=404\nurl=http://h/x\nrc=0\ntmp=/d/t\nstatus=HTTP/1.0 404 File not found\nsize=0\nsha1=da39\nstderr=\n',
      { curlExit: 0, code: 404, reason: 'File not found', effectiveUrl: 'http://h/x', tmp: '/d/t', size: 0, sha1: 'da39', stderr: '' },
    ],
    [
      'file:// that does not exist',
      'code=000\nurl=file:///nope\nrc=37\ntmp=/d/t\nstatus=\nsize=0\nsha1=da39\nstderr=curl: (37) Couldn\'t open file /nope \n',
      { curlExit: 37, code: 0, reason: '', effectiveUrl: 'file:///nope', tmp: '/d/t', size: 0, sha1: 'da39', stderr: 'curl: (37) Couldn\'t open file /nope' },
    ],
    ['no folder', 'nodir=/srv/nowhere\n', { missingDir: '/srv/nowhere', curlExit: -1, code: 0, reason: '', effectiveUrl: '', tmp: '', size: 0, sha1: '', stderr: '' }],
  ])('%s', (_, stdout, want) => {
    expect(parseDownload(stdout)).toEqual(want);
  });
});

describe('downloadConfig', () => {
  it('quotes credentials and headers for curl -K, so they never reach argv', () => {
    expect(downloadConfig({ username: 'u', password: 'p"a\\ss', headers: { 'X-Token': 'a b' } })).toBe('user = "u:p\\"a\\\\ss"\nheader = "X-Token: a b"\n');
    expect(downloadConfig({})).toBe('\n');
  });
  it.each([
    [['authorization'], 'user = "u:p"\nheader = "X-A: 1"\nheader = "X-B: 2"\n# haweb: after a redirect\nheader = "X-A: 1"\nheader = "X-B: 2"\n'],
    [['x-a'], 'user = "u:p"\nheader = "X-A: 1"\nheader = "X-B: 2"\n# haweb: after a redirect\nuser = "u:p"\nheader = "X-B: 2"\n'],
    [[], 'user = "u:p"\nheader = "X-A: 1"\nheader = "X-B: 2"\n'],
  ])('unredirected headers %j: a second config for after a redirect, without them', (unredirected, want) => {
    expect(downloadConfig({ username: 'u', password: 'p', headers: { 'X-A': '1', 'X-B': '2' } }, unredirected)).toBe(want);
  });
});

describe('downloadScript with unredirected headers, against a loopback server', () => {
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
    [[], 200],
    [['authorization'], 401],
    [['x-other'], 200],
  ])('unredirected %j -> %i after the redirect', async (unredirected, code) => {
    const server = await serve();
    try {
      const dir = mkdtempSync(join(tmpdir(), 'dl-redirect-'));
      const port = (server.address() as AddressInfo).port;
      const script = downloadScript({
        url: `http://127.0.0.1:${port}/r`, tmpDir: dir, timeoutSeconds: 5, validateCerts: true, useProxy: false, useNetrc: false,
        decompress: true, httpAgent: 'ansible-httpget', unredirectedHeaders: unredirected,
      });
      const stdout = await new Promise<string>((ok, ko) => {
        const child = execFile('sh', ['-c', script], { encoding: 'utf8' }, (err, out) => (err ? ko(err) : ok(out)));
        child.stdin!.end(downloadConfig({ username: 'user', password: 'passwd' }, unredirected));
      });
      const out = parseDownload(stdout);
      expect(out).toMatchObject({ curlExit: 0, code });
      expect(out.effectiveUrl).toMatch(new RegExp(`^http://(user:passwd@)?127\\.0\\.0\\.1:${port}/auth$`));
    } finally {
      server.close();
    }
  });
});

describe('downloadScript under a real sh, with a file:// URL and a hostile path', () => {
  it('downloads into the folder and reports size and checksums', () => {
    const dir = mkdtempSync(join(tmpdir(), "dl 'x' $(y)"));
    writeFileSync(join(dir, 'src.txt'), 'hello\n');
    const script = downloadScript({
      url: pathToFileURL(join(dir, 'src.txt')).href, tmpDir: dir, digest: 'sha256', timeoutSeconds: 5, validateCerts: true,
      useProxy: false, useNetrc: false, decompress: true, httpAgent: 'ansible-httpget',
    });
    const out = parseDownload(execFileSync('sh', ['-c', script], { input: downloadConfig({}), encoding: 'utf8' }));
    expect(out).toMatchObject({ curlExit: 0, size: 6, sha1: 'f572d396fae9206628714fb2ce00f72e94f2258f', digest: '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03' });
    expect(readFileSync(out.tmp, 'utf8')).toBe('hello\n');
    expect(out.tmp.startsWith(`${dir}/.haweb-download.`)).toBe(true);
  });
});

const info = (over: Partial<FileInfo> = {}): FileInfo =>
  ({ type: 'file', mode: 0o644, owner: 'root', group: 'root', uid: 0, gid: 0, size: 6, mtime: 0, checksum: 'same', ...over }) as FileInfo;

describe('planInstallDownload', () => {
  const base = { dest: '/srv/a.txt', backup: false, backupPath: '/srv/a.txt.B~' };
  it.each([
    ['equal content, nothing else', info(), {}, false, ["rm -f -- /srv/.t"]],
    ['equal content, new mode', info(), { mode: '0600' }, false, ['rm -f -- /srv/.t', 'chmod 0600 -- /srv/a.txt']],
    ['new file', undefined, {}, true, [`chmod "$(printf '%o' $((0666 & ~0$(umask))))" /srv/.t`, 'mv -f -- /srv/.t /srv/a.txt']],
    [
      'changed content keeps the old attributes, then sets the asked ones, with a backup',
      info({ checksum: 'old' }),
      { owner: 'nobody', backup: true },
      true,
      ['chmod --reference=/srv/a.txt /srv/.t && chown --reference=/srv/a.txt /srv/.t', 'chown nobody -- /srv/.t', "cp -p -- /srv/a.txt '/srv/a.txt.B~'", 'mv -f -- /srv/.t /srv/a.txt'],
    ],
  ])('%s', (_, dest, over, replace, steps) => {
    const plan = planInstallDownload({ tmp: '/srv/.t', sha1: 'same' }, dest, { ...base, ...over });
    expect(plan.replace).toBe(replace);
    expect(plan.steps.map(stepText)).toEqual(steps);
  });
});
