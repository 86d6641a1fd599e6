import { z } from 'zod';
import { packageFacts, type PackageFactsMap, type PackageManagerName } from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { stringList } from '../util/schema.js';

/**
 * Return values (Ansible's RETURN of package_facts): the fact `packages`, name -> list of the
 * installed versions ({name, version, arch, category, origin, source} from apt; {name, version,
 * release, epoch, arch, source} from rpm).
 */
const MANAGERS = ['auto', 'rpm', 'apt', 'portage', 'pkg', 'pacman', 'apk', 'pkg_info'] as const;
/** The managers read here, in Ansible's auto-detection order for Linux hosts. */
const READ: readonly PackageManagerName[] = ['rpm', 'apt'];

const args = z.strictObject({
  manager: stringList.pipe(z.array(z.enum(MANAGERS))).default(['auto']),
  strategy: z.enum(['first', 'all']).default('first'),
});

/** The managers to try, in order: the ones asked for, `auto` expanded to every known one (deduplicated). */
export function managersToTry(asked: readonly string[]): string[] {
  const list = asked.map((m) => m.toLowerCase()).flatMap((m) => (m === 'auto' ? [...READ] : [m]));
  return [...new Set(list)];
}

/**
 * Examples:
 *   package_facts: { manager: auto }
 *   + when: "'nginx' in ansible_facts.packages"
 */
export const packageFactsModule = defineHostModule({
  name: 'package_facts',
  aliases: ['ansible.builtin.package_facts'],
  description: 'Gather the installed packages (dpkg/apt or rpm database) into the fact `packages`.',
  args,
  checkMode: 'full',
  async run(a, ctx) {
    const managers = managersToTry(a.manager);
    const warnings: string[] = [];
    const packages: PackageFactsMap = {};
    let found = 0;
    for (const manager of managers) {
      if (found && a.strategy === 'first') break;
      if (manager !== 'apt' && manager !== 'rpm') {
        warnings.push(`Requested package manager ${manager} is not read by this provisioner (apt and rpm are)`);
        continue;
      }
      const list = await ctx.fact(packageFacts, { manager });
      if (list === null) {
        // Ansible's RPM.is_available: the tool without its Python library is not a usable manager.
        warnings.push('Found "rpm" but its Python library (rpm) is not importable by the host\'s Python: not used, as Ansible does');
        continue;
      }
      if (list === undefined) continue;
      found += 1;
      Object.assign(packages, list);
    }
    if (found === 0) {
      return {
        changed: false, failed: true, ...(warnings.length ? { warnings } : {}),
        msg: `Could not detect a supported package manager from the following list: [${managers.map((m) => `'${m}'`).join(', ')}], or the required Python library is not installed. Check warnings for details.`,
      };
    }
    // `packages` as a variable, and (through the ansible_-prefixed key the executor keeps among the
    // host's facts) as `ansible_facts.packages`, the form roles test.
    return { changed: false, facts: { packages, ansible_packages: packages }, ansible_facts: { packages }, ...(warnings.length ? { warnings } : {}) };
  },
});
