/**
 * vitest global setup of the root integration config: makes sure the default lab (`haweb`, 2 hosts) is
 * up, reusing a running one, and leaves it up for the next run (`npm run lab -- down` removes it; .ci/run
 * does that at the end). Integration tests need real hosts: without root this fails loudly, never skips.
 */
import type { TestProject } from 'vitest/node';

export default async function setup(project: TestProject): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'integration tests run against the lab\'s real hosts and need root (network namespaces, mounts). ' +
        'Run them as root, or run only the unit tests: `npm run test:unit`.',
    );
  }
  let lab: typeof import('@haweb/lab');
  try {
    lab = await import('@haweb/lab');
  } catch (err) {
    throw new Error(`cannot load @haweb/lab (run \`npm run build\` first): ${(err as Error).message}`);
  }
  const started = Date.now();
  const state = await lab.ensureLab({ name: lab.DEFAULT_LAB_NAME, hosts: 2, log: (m) => process.stderr.write(`lab: ${m}\n`) });
  process.stderr.write(
    `lab ${state.name} ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${state.hosts.map((h) => `${h.name}=${h.address}`).join(' ')}\n`,
  );
  project.provide('labName', state.name);
}

declare module 'vitest' {
  export interface ProvidedContext {
    labName: string;
  }
}
