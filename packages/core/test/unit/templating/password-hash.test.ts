/**
 * password_hash and the SHA crypt it computes: the expected hashes are what the controller's Python
 * crypt (glibc) gives for the same password, salt and rounds, which is what Debian's ansible-core
 * (without passlib) returns.
 */
import { describe, expect, it } from 'vitest';
import { shaCrypt } from '../../../src/templating/sha-crypt.js';
import { renderString } from '../../../src/templating/engine.js';

describe('SHA crypt, as glibc computes it', () => {
  it.each([
    ['sha512', 'pw', 'saltsalt', undefined, '$6$saltsalt$pauPrmdmG4BTE9h2HPmywiw152IFch6BJCEsaY6D.PLTfpV8sqvXwWdyfsgVgozkYH9B80bAip/08R2BPH2xk/'],
    ['sha512', '', 'abc', undefined, '$6$abc$mJP3a6FyA8uCnzRtlnNypPwjnvpi5TP9qOrInzrfDmwxUQG38PkpCPdqfTb8JQfAngapMxeim4AZ..hSdRRzD.'],
    ['sha256', 'Hello world!', 'saltstring', undefined, '$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5'],
    // a salt longer than 16 characters is cut; rounds given are written out
    ['sha256', 'Hello world!', 'saltstringsaltstring', 10000, '$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA'],
    // a password longer than the digest
    ['sha512', 'x'.repeat(100), 'abcdefghijklmnopqrst', 1000, '$6$rounds=1000$abcdefghijklmnop$ZSbG6cAPLyZNYXM/HMLQV9rorHIBbVdv7gKGJYeULZ9jgH5hCuH5AzLwT8Y.IUPgtZtV9DjZjQ85pMPXD5oM4.'],
    ['sha256', 'x'.repeat(70), './09AZaz', undefined, '$5$./09AZaz$aDubPKk/xBP/orvPwR/uOVHJ7oxl0NFS6X9dJMmaP47'],
    ['sha512', 'päss', 's', 5000, '$6$rounds=5000$s$zM/5J0ZkFJKLIeaP288gsnKsp6qj4ediW.roAbRVjc89GJ7H5C9fzP0Ax4oK95MriD4O.XH0k2du1bq6.VjmP/'],
  ] as const)('%s of %j with salt %s', (alg, password, salt, rounds, expected) => {
    expect(shaCrypt(alg, password, salt, rounds)).toBe(expected);
  });
});

describe('password_hash', () => {
  it('with a salt gives the crypt hash; without one a new 16-character salt each time', () => {
    expect(renderString("{{ 'pw' | password_hash('sha512', 'saltsalt') }}", {})).toBe(shaCrypt('sha512', 'pw', 'saltsalt'));
    expect(renderString("{{ 'pw' | password_hash('sha256', salt='saltsalt', rounds=10000) }}", {})).toBe(shaCrypt('sha256', 'pw', 'saltsalt', 10000));
    const one = renderString("{{ 'pw' | password_hash('sha512') }}", {});
    const two = renderString("{{ 'pw' | password_hash }}", {});
    expect(one).toMatch(/^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
    expect(two).not.toBe(one);
    const salt = one.split('$')[2];
    expect(shaCrypt('sha512', 'pw', salt)).toBe(one);
  });

  it('refuses what it cannot compute', () => {
    expect(() => renderString("{{ 'pw' | password_hash('md5') }}", {})).toThrow(/hash type 'md5' is not supported/);
    expect(() => renderString("{{ 'pw' | password_hash('sha512', 'bad salt') }}", {})).toThrow(/invalid characters in salt/);
  });
});
