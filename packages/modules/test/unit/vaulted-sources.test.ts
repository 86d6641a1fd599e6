import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { encryptVault, useVaultKeyring, VaultKeyring, VAULTED_DIFF_NOTE } from '@haweb/core';
import { copyModule, templateModule } from '../../src/index.js';
import { FakeHost, REAL_FOLDERS, fsContext as fakeContext, runModule } from '@haweb/hostkit/testing';


const localDir = mkdtempSync(join(tmpdir(), 'haweb-mod-vault-'));
const password = Buffer.from('module-vault-pass');
writeFileSync(join(localDir, 'key.pem'), encryptVault(Buffer.from('PRIVATE-KEY-BODY\n'), password));
writeFileSync(join(localDir, 'app.conf.j2'), encryptVault(Buffer.from('token={{ token }}\n'), password));

afterEach(() => useVaultKeyring(new VaultKeyring()));
afterAll(() => rmSync(localDir, { recursive: true, force: true }));

function context(host: FakeHost, marked: string[]) {
  return { ...fakeContext(host, { localDir, diff: true, vars: { token: 'tok-9' } }), markSecret: (v: string) => void marked.push(v) };
}

describe('vault-encrypted copy and template sources', () => {
  it.each([
    ['copy', copyModule, { src: 'key.pem', dest: '/etc/key.pem' }, 'PRIVATE-KEY-BODY\n'],
    ['template', templateModule, { src: 'app.conf.j2', dest: '/etc/app.conf' }, 'token=tok-9\n'],
  ])('%s: the host gets the plaintext, the output a secret and a diff without content', async (_name, module, args, plaintext) => {
    useVaultKeyring(new VaultKeyring([{ id: 'default', password, source: 'test' }]));
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.mkdir('/etc');
    const marked: string[] = [];
    const r = await runModule(module, args, context(host, marked));
    expect(r.changed).toBe(true);
    expect(host.text(args.dest)).toBe(plaintext);
    expect(marked).toContain(plaintext);
    expect(r.diff?.length).toBeGreaterThan(0);
    expect(JSON.stringify(r.diff)).not.toContain(plaintext.trim());
    expect(r.diff![0].before).toBe(VAULTED_DIFF_NOTE);
    const again = await runModule(module, args, context(host, []));
    expect(again.changed).toBe(false);
  });

  it.each([
    ['copy', copyModule, { src: 'key.pem', dest: '/etc/key.pem' }],
    ['template', templateModule, { src: 'app.conf.j2', dest: '/etc/app.conf' }],
  ])('%s: a wrong password fails the task naming the file and writes nothing', async (_name, module, args) => {
    useVaultKeyring(new VaultKeyring([{ id: 'default', password: Buffer.from('wrong'), source: 'test' }]));
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.mkdir('/etc');
    const r = await runModule(module, args, context(host, [])).catch((e: Error) => ({ failed: true, msg: e.message }));
    expect(r.failed).toBe(true);
    expect(r.msg).toMatch(new RegExp(`${args.src}.*decryption failed`));
    expect(host.files.has(args.dest)).toBe(false);
  });
});
