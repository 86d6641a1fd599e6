import { describe, expect, it } from 'vitest';
import { packageInstallRefreshingScript } from '../../src/source-build/build-deps.js';

describe('packageInstallRefreshingScript', () => {
  it.each([
    [
      'Debian: a host without apt lists (fresh minimal image) refreshes them once and installs again',
      'Debian',
      'DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends build-essential tar || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends build-essential tar; }',
    ],
    ['RedHat: yum fetches its metadata itself', 'RedHat', "yum install -y build-essential tar"],
  ] as const)('%s', (_what, family, script) => {
    expect(packageInstallRefreshingScript(family, ['build-essential', 'tar'])).toBe(script);
  });
});
