import type { OsFamily } from '@haweb/hostkit';

/**
 * Build dependencies: the seed's yum list on RHEL-family hosts, the apt equivalents on Debian.
 * Installed only when missing (the check is one query, so a no-op run stays fast).
 */
export const NGINX_BUILD_DEPS: Readonly<Record<OsFamily, readonly string[]>> = {
  RedHat: [
    'gcc', 'gcc-c++', 'make', 'automake', 'autoconf', 'libtool',
    'pcre', 'pcre-devel', 'zlib', 'zlib-devel', 'openssl', 'openssl-devel',
  ],
  Debian: ['build-essential', 'libpcre3-dev', 'zlib1g-dev', 'libssl-dev'],
};

