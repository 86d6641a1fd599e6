/**
 * The installers' integration tests use a lab of their own (`inst`, 198.18.52.0/24: RFC 2544's
 * benchmarking range, never the default lab's subnet), so their builds, bad configs and reboots
 * never disturb the default lab `haweb` others are using. It is brought up from the cached image
 * in seconds by each test file and taken down at the file's end (so every file starts from fresh
 * hosts and nothing is left behind); HAWEB_KEEP_INSTALLER_LAB=1 keeps it up between runs, e.g. while
 * iterating (the files clean what they install first); `npm run lab -- down --name inst` removes it.
 * HAWEB_INSTALLER_LAB / HAWEB_INSTALLER_SUBNET choose another lab (engineers working side by side).
 */
import type { LabStateLike } from '../support/lab-host.js';

export const INSTALLER_LAB = process.env.HAWEB_INSTALLER_LAB || 'inst';
export const INSTALLER_SUBNET = process.env.HAWEB_INSTALLER_SUBNET || '198.18.52.0/24';

export interface LabApi {
  ensureLab(o: { name: string; subnet: string; hosts: number; log?: (m: string) => void }): Promise<LabStateLike>;
  ensureSources(log?: (m: string) => void): Promise<{ nginx: string; keepalived: string }>;
  rebootHost(lab: string, host: string, log?: (m: string) => void): Promise<void>;
  labDown(name: string): Promise<unknown>;
}

/** afterAll of each installer test file: the private lab goes away unless asked to stay. */
export async function releaseInstallerLab(lab: LabApi | undefined): Promise<void> {
  if (lab && process.env.HAWEB_KEEP_INSTALLER_LAB !== '1') await lab.labDown(INSTALLER_LAB);
}

export async function installerLab(): Promise<{ lab: LabApi; state: LabStateLike; sources: { nginx: string; keepalived: string } }> {
  const spec = '@haweb/lab';
  const lab = (await import(spec)) as LabApi;
  const state = await lab.ensureLab({ name: INSTALLER_LAB, subnet: INSTALLER_SUBNET, hosts: 2, log: (m) => process.stderr.write(`lab ${INSTALLER_LAB}: ${m}\n`) });
  const sources = await lab.ensureSources((m) => process.stderr.write(`sources: ${m}\n`));
  return { lab, state, sources };
}
