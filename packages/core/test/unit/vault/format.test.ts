import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decryptBody, encryptVault, formatEnvelope, isVaultText, parseEnvelope, vaultYamlScalar, VaultFormatError } from '../../../src/vault/format.js';

// Each expected text was produced by ansible-core 2.14.18's VaultAES256.encrypt and
// format_vaulttext_envelope with the same salt (see fixtures/README.md).
const vectors = [
  {
    name: 'format 1.1, a YAML document',
    plaintext: 'db_password: s3cr3t\n',
    password: 'hunter2-vault',
    salt: '0123456789abcdef0123456789abcdef',
    label: undefined,
    text:
      '$ANSIBLE_VAULT;1.1;AES256\n' +
      '33303331333233333334333533363337333833393631363236333634363536363330333133323333\n' +
      '3334333533363337333833393631363236333634363536360a633833633365343762356133633265\n' +
      '39653039373539373631663136396163363837316263383961643866353630643638636334346633\n' +
      '6534393761346630640a326434353537306430353465336563396136303462336165613434353561\n' +
      '31353131633335616637343434653366303630613634376337333264373138346430\n',
  },
  {
    name: 'format 1.2 with a vault id, a salt shorter than 32 bytes',
    plaintext: 'label me',
    password: 'hunter2-vault',
    salt: 'fixed-salt-for-1.2',
    label: 'prod',
    text:
      '$ANSIBLE_VAULT;1.2;AES256;prod\n' +
      '3636363937383635363432643733363136633734326436363666373232643331326533320a333863\n' +
      '32353663646237386534333139333536396635626636333737623935626565336534376535383664\n' +
      '3665613565613333313533626630613164336461350a373136366264343138313131643336373436\n' +
      '3634613330653739373766383434\n',
  },
  {
    name: 'empty plaintext (one whole block of padding)',
    plaintext: '',
    password: 'hunter2-vault',
    salt: 'x'.repeat(32),
    label: undefined,
    text:
      '$ANSIBLE_VAULT;1.1;AES256\n' +
      '37383738373837383738373837383738373837383738373837383738373837383738373837383738\n' +
      '3738373837383738373837383738373837383738373837380a373931653630323431303265396132\n' +
      '63636230373666326566306562366333323961383563353432386538393262666232373266623233\n' +
      '6334643933663064340a383134666562643735636231643336626666323935393832326636613838\n' +
      '3035\n',
  },
];

describe('Ansible Vault AES256 format', () => {
  it.each(vectors)('encrypts exactly as Ansible does: $name', (v) => {
    expect(encryptVault(Buffer.from(v.plaintext), Buffer.from(v.password), { label: v.label, salt: Buffer.from(v.salt) })).toBe(v.text);
  });

  it.each(vectors)('decrypts what Ansible wrote: $name', (v) => {
    const env = parseEnvelope(v.text);
    expect(env.label).toBe(v.label);
    expect(env.version).toBe(v.label ? '1.2' : '1.1');
    expect(decryptBody(env.body, Buffer.from(v.password))?.toString('utf8')).toBe(v.plaintext);
  });

  it('binary data and a non-ASCII password, as Ansible wrote them', () => {
    const text = readFileSync(new URL('fixtures/binary-768.vault', import.meta.url), 'utf8');
    const plaintext = Buffer.from([...Array(768).keys()].map((i) => i % 256));
    expect(decryptBody(parseEnvelope(text).body, Buffer.from('pässwörd'))).toEqual(plaintext);
    expect(encryptVault(plaintext, Buffer.from('pässwörd'), { salt: Buffer.from('binary-salt-0123456789abcdef0123') })).toBe(text);
  });

  it('a wrong password is told apart (undefined), not garbage plaintext', () => {
    expect(decryptBody(parseEnvelope(vectors[0].text).body, Buffer.from('wrong'))).toBeUndefined();
  });

  it('a tampered ciphertext fails the HMAC check', () => {
    const env = parseEnvelope(vectors[0].text);
    const inner = Buffer.from(env.body, 'hex').toString('latin1').split('\n');
    inner[2] = (inner[2][0] === '0' ? '1' : '0') + inner[2].slice(1);
    expect(decryptBody(Buffer.from(inner.join('\n'), 'latin1').toString('hex'), Buffer.from(vectors[0].password))).toBeUndefined();
  });

  it('a random salt gives a different text that still opens', () => {
    const a = encryptVault(Buffer.from('x'), Buffer.from('pw'));
    const b = encryptVault(Buffer.from('x'), Buffer.from('pw'));
    expect(a).not.toBe(b);
    expect(decryptBody(parseEnvelope(a).body, Buffer.from('pw'))?.toString()).toBe('x');
  });

  it('lines are 80 characters and the file ends with a newline; the label default keeps 1.1', () => {
    const text = formatEnvelope('ab'.repeat(100), 'default');
    const lines = text.split('\n');
    expect(lines[0]).toBe('$ANSIBLE_VAULT;1.1;AES256');
    expect(lines.slice(1, -2).every((l) => l.length === 80)).toBe(true);
    expect(lines.at(-1)).toBe('');
  });

  it.each([
    ['not vault', 'hello\n', /not Ansible Vault data/],
    ['no cipher', '$ANSIBLE_VAULT;1.1\n6161\n', /no version and cipher/],
    ['old version', '$ANSIBLE_VAULT;1.0;AES256\n6161\n', /version 1.0 is not supported/],
    ['other cipher', '$ANSIBLE_VAULT;1.1;AES\n6161\n', /cipher AES is not supported/],
    ['not hex', '$ANSIBLE_VAULT;1.1;AES256\nzz\n', /not hexadecimal/],
  ])('refuses malformed envelopes: %s', (_name, text, message) => {
    expect(() => parseEnvelope(text)).toThrow(message);
  });

  it('refuses a body without three parts', () => {
    expect(() => decryptBody(Buffer.from('6161', 'latin1').toString('hex'), Buffer.from('pw'))).toThrow(VaultFormatError);
  });

  it.each([
    ['$ANSIBLE_VAULT;1.1;AES256\n', true],
    [Buffer.from('$ANSIBLE_VAULT;1.2;AES256;x\n'), true],
    [' $ANSIBLE_VAULT;1.1;AES256', false],
    ['key: value', false],
  ])('isVaultText(%j) is %s', (data, expected) => {
    expect(isVaultText(data)).toBe(expected);
  });

  it('encrypt_string YAML is indented by 10 spaces, with and without a name', () => {
    const text = '$ANSIBLE_VAULT;1.1;AES256\n6161\n';
    expect(vaultYamlScalar(text)).toBe('!vault |\n          $ANSIBLE_VAULT;1.1;AES256\n          6161');
    expect(vaultYamlScalar(text, 'db_password')).toBe('db_password: !vault |\n          $ANSIBLE_VAULT;1.1;AES256\n          6161');
  });
});
