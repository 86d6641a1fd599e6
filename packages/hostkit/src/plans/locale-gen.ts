/**
 * Locales as community.general.locale_gen manages them: Debian's way (the locale's line of
 * /etc/locale.gen uncommented or commented, then `locale-gen`) or Ubuntu's (when
 * /var/lib/locales/supported.d/ exists: `locale-gen NAME`, or the name's line dropped from
 * supported.d/local and `locale-gen --purge`). A locale is present when `locale -a` lists it (the
 * encoding's spelling normalized as the module does). Pure functions and one fact.
 */
import { type Fact } from '@haweb/core';
import { outputSections } from '../util/sections.js';

const NORMALIZE: [string, string][] = [
  ['.utf8', '.UTF-8'], ['.eucjp', '.EUC-JP'], ['.iso885915', '.ISO-8859-15'], ['.cp1251', '.CP1251'], ['.koi8r', '.KOI8-R'],
  ['.armscii8', '.ARMSCII-8'], ['.euckr', '.EUC-KR'], ['.gbk', '.GBK'], ['.gb18030', '.GB18030'], ['.euctw', '.EUC-TW'],
];

/** `locale -a` spells encodings in lower case: both sides normalized before comparing. */
export function localeFixCase(name: string): string {
  let out = name;
  for (const [s, r] of NORMALIZE) out = out.split(s).join(r);
  return out;
}

/** Whether `locale -a` lists the locale. */
export function localePresent(localeA: string, name: string): boolean {
  return localeA.split('\n').some((l) => localeFixCase(name) === localeFixCase(l));
}

/** Whether the locale can be generated: a line of /etc/locale.gen (commented or not), or of Ubuntu's SUPPORTED list. */
export function localeAvailable(list: string, name: string, ubuntu: boolean): boolean {
  const re = ubuntu ? /^(\S+_\S+) (\S+)\s*$/ : /^#?\s*(\S+_\S+) (\S+)\s*$/;
  return list.split('\n').some((l) => re.exec(l)?.[1] === name);
}

/**
 * /etc/locale.gen with the locale's line enabled or commented out, as the module rewrites it (its
 * pattern is the name as a regular expression, matched anywhere on each line).
 */
export function setLocaleGen(text: string, name: string, enabled: boolean): string {
  const re = new RegExp(`#?\\s*${name} (.+)`, 'g');
  return text
    .split('\n')
    .map((line) => line.replace(re, (_m, charset: string) => (enabled ? `${name} ${charset}` : `# ${name} ${charset}`)))
    .join('\n');
}

/** Ubuntu's supported.d/local without the locale's lines. */
export function dropSupportedLocale(text: string, name: string): string {
  return text
    .split(/(?<=\n)/)
    .filter((line) => line.split(' ')[0] !== name)
    .join('');
}

export interface LocaleGenFacts {
  ubuntu: boolean;
  localeGen?: string;
  supported?: string;
  supportedLocal?: string;
  localeA: string;
}

const MARK = '@@haweb-locale@@';

export const localeGenState: Fact<Record<string, never>, LocaleGenFacts> = {
  name: 'host.locale-gen',
  command() {
    return [
      `if [ -e /var/lib/locales/supported.d/ ]; then echo ${MARK}ubuntu; fi`,
      `if [ -f /etc/locale.gen ]; then echo ${MARK}locale-gen; cat /etc/locale.gen; fi`,
      `if [ -f /usr/share/i18n/SUPPORTED ]; then echo ${MARK}supported; cat /usr/share/i18n/SUPPORTED; fi`,
      `if [ -f /var/lib/locales/supported.d/local ]; then echo ${MARK}supported-local; cat /var/lib/locales/supported.d/local; fi`,
      `echo ${MARK}locale-a; locale -a 2>/dev/null`,
      'exit 0',
    ].join('\n');
  },
  parse(stdout) {
    const s = outputSections(stdout, MARK);
    return {
      ubuntu: s.has('ubuntu'),
      ...(s.has('locale-gen') ? { localeGen: s.get('locale-gen') } : {}),
      ...(s.has('supported') ? { supported: s.get('supported') } : {}),
      ...(s.has('supported-local') ? { supportedLocal: s.get('supported-local') } : {}),
      localeA: s.get('locale-a') ?? '',
    };
  },
};
