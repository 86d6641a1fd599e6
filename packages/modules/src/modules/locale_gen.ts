import { z } from 'zod';
import { applySteps, dropSupportedLocale, localeAvailable, localeGenState, localePresent, setLocaleGen, type Step } from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';

/**
 * community.general.locale_gen: a locale generated or removed, as the module does it: Debian's
 * /etc/locale.gen line enabled (or commented out) then `locale-gen`; on Ubuntu `locale-gen NAME`
 * (removing: its line dropped from /var/lib/locales/supported.d/local, then `locale-gen --purge`).
 * Present means `locale -a` lists it. Check mode; returns name and msg as the module does.
 * Example: locale_gen: { name: en_US.UTF-8 }
 */
export const localeGenModule = defineHostModule({
  name: 'locale_gen',
  aliases: ['community.general.locale_gen'],
  description: 'Generate or remove a locale, as community.general.locale_gen.',
  args: z.strictObject({
    name: z.union([z.string(), z.number()]).transform(String),
    state: z.enum(['absent', 'present']).default('present'),
  }),
  checkMode: 'full',
  async run(a, ctx) {
    const fail = (msg: string) => ({ changed: false, failed: true, msg });
    const facts = await ctx.fact(localeGenState, {});
    if (!facts.ubuntu && facts.localeGen === undefined) {
      return fail('/etc/locale.gen and /var/lib/locales/supported.d/local are missing. Is the package "locales" installed?');
    }
    const list = facts.ubuntu ? facts.supported : facts.localeGen;
    if (!localeAvailable(list ?? '', a.name, facts.ubuntu)) return fail("The locale you've entered is not available on your system.");
    const changed = localePresent(facts.localeA, a.name) !== (a.state === 'present');
    if (!changed) return { changed: false, name: a.name, msg: 'OK' };
    if (ctx.check) return { changed: true };
    const steps: Step[] = [];
    if (!facts.ubuntu) {
      steps.push({ kind: 'file', path: '/etc/locale.gen', content: setLocaleGen(facts.localeGen!, a.name, a.state === 'present'), why: `${a.state === 'present' ? 'enable' : 'disable'} ${a.name} in /etc/locale.gen` });
      steps.push({ kind: 'run', argv: ['locale-gen'], why: 'generate the locales' });
    } else if (a.state === 'present') {
      steps.push({ kind: 'run', argv: ['locale-gen', a.name], why: `generate ${a.name}` });
    } else {
      steps.push({ kind: 'file', path: '/var/lib/locales/supported.d/local', content: dropSupportedLocale(facts.supportedLocal ?? '', a.name), why: `drop ${a.name} from supported.d/local` });
      steps.push({ kind: 'run', argv: ['locale-gen', '--purge'], why: 'generate the locales' });
    }
    const applied = await applySteps(ctx, steps, {
      diff: [],
      failure: (f) => `locale.gen failed to execute, it returned ${f.result.code}`,
    });
    if (applied.failed) return { ...fail(String(applied.msg)), exitValue: applied.rc };
    return { changed: true, name: a.name, msg: 'OK' };
  },
});
