import { describe, expect, it } from 'vitest';
import { deriveDebSrc, mirrorFromSources, parseDeb822 } from '../../src/apt-sources.js';

// Host names here are placeholders under example.org: the lab never writes a real mirror into the repo.
const DEB822 = `Types: deb
# http://snapshot.example.org/archive/debian/20250520T000000Z
URIs: http://mirror.example.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`;

const ONE_LINE = `# comment
deb http://one.example.org/debian bookworm main contrib
deb-src http://one.example.org/debian bookworm main
deb [arch=amd64 signed-by=/usr/share/keyrings/k.gpg] http://two.example.org/debian bookworm-updates main
`;

describe('mirrorFromSources', () => {
  it.each([
    [{ deb822: DEB822 }, 'http://mirror.example.org/debian'],
    [{ oneLine: ONE_LINE }, 'http://one.example.org/debian'],
    [{ deb822: DEB822, oneLine: ONE_LINE }, 'http://mirror.example.org/debian'],
    [{ deb822: 'Types: deb-src\nURIs: http://src.example.org/debian\nSuites: bookworm\n', oneLine: ONE_LINE }, 'http://one.example.org/debian'],
    [{ deb822: '', oneLine: '' }, undefined],
    [{}, undefined],
  ])('%#', (files, expected) => {
    expect(mirrorFromSources(files)).toBe(expected);
  });
});

describe('deriveDebSrc', () => {
  it('turns every deb822 deb stanza into deb-src with the same URIs, suites, components and key', () => {
    expect(deriveDebSrc({ deb822: DEB822 })).toBe(`Types: deb-src
URIs: http://mirror.example.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://mirror.example.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`);
  });

  it('converts one-line deb entries, keeping signed-by and ignoring existing deb-src', () => {
    expect(deriveDebSrc({ oneLine: ONE_LINE })).toBe(`Types: deb-src
URIs: http://one.example.org/debian
Suites: bookworm
Components: main contrib

Types: deb-src
URIs: http://two.example.org/debian
Suites: bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/k.gpg
`);
  });

  it('skips disabled stanzas', () => {
    const text = 'Types: deb\nURIs: http://a.example.org/debian\nSuites: bookworm\nComponents: main\nEnabled: no\n';
    expect(() => deriveDebSrc({ deb822: text })).toThrow(/no "deb" source/);
  });

  it('fails clearly when there is nothing to derive from', () => {
    expect(() => deriveDebSrc({})).toThrow(/no "deb" source found in \/etc\/apt/);
  });

  it('parses continuation lines into the field', () => {
    const [stanza] = parseDeb822('Types: deb\nSigned-By:\n -----BEGIN PGP PUBLIC KEY BLOCK-----\n .\nURIs: x\n');
    expect(stanza.fields.get('Signed-By')).toContain('BEGIN PGP');
    expect(stanza.fields.get('URIs')).toBe('x');
  });
});
