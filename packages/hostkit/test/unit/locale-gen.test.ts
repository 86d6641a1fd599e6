import { describe, expect, it } from 'vitest';
import { dropSupportedLocale, localeAvailable, localeGenState, localePresent, setLocaleGen } from '../../src/index.js';

const LOCALE_GEN = '# This file lists locales\n#  de_DE.UTF-8 UTF-8\n# en_US ISO-8859-1\n# en_US.UTF-8 UTF-8\nfr_FR.UTF-8 UTF-8\n';

describe('locale_gen as community.general.locale_gen decides', () => {
  it.each([
    ['C.utf8\nen_US.utf8\nPOSIX\n', 'en_US.UTF-8', true],
    ['C.utf8\nPOSIX\n', 'en_US.UTF-8', false],
    ['de_DE.iso885915\n', 'de_DE.ISO-8859-15', true],
  ])('locale -a %j lists %s: %s', (out, name, want) => {
    expect(localePresent(out, name)).toBe(want);
  });

  it.each([
    ['en_US.UTF-8', false, true],
    ['de_DE.UTF-8', false, true],
    ['xx_XX.UTF-8', false, false],
  ])('%s available (ubuntu %s): %s', (name, ubuntu, want) => {
    expect(localeAvailable(LOCALE_GEN, name, ubuntu)).toBe(want);
  });

  it('enables and disables a line of /etc/locale.gen', () => {
    expect(setLocaleGen(LOCALE_GEN, 'en_US.UTF-8', true)).toBe('# This file lists locales\n#  de_DE.UTF-8 UTF-8\n# en_US ISO-8859-1\nen_US.UTF-8 UTF-8\nfr_FR.UTF-8 UTF-8\n');
    expect(setLocaleGen(LOCALE_GEN, 'fr_FR.UTF-8', false)).toBe('# This file lists locales\n#  de_DE.UTF-8 UTF-8\n# en_US ISO-8859-1\n# en_US.UTF-8 UTF-8\n# fr_FR.UTF-8 UTF-8\n');
  });

  it('drops a locale from Ubuntu\'s supported.d/local', () => {
    expect(dropSupportedLocale('en_US.UTF-8 UTF-8\nde_DE.UTF-8 UTF-8\n', 'en_US.UTF-8')).toBe('de_DE.UTF-8 UTF-8\n');
  });

  it('reads the host in one command', () => {
    const mark = '@@haweb-locale@@';
    expect(localeGenState.parse(`${mark}locale-gen\n${LOCALE_GEN}${mark}locale-a\nC.utf8\nPOSIX\n`, {})).toEqual({ ubuntu: false, localeGen: LOCALE_GEN, localeA: 'C.utf8\nPOSIX\n' });
  });
});
