import { splitConfigureArgs, type BuiltBinary, type SourceProduct } from '@haweb/hostkit';

/**
 * `keepalived -v` prints `Keepalived v2.2.7 (01/16,2022)`, copyright and kernel lines, then
 * `configure options: --prefix=/usr/local/keepalived` (values are printed as given, unquoted).
 */
export function parseKeepalivedV(output: string): BuiltBinary | undefined {
  const version = /^Keepalived v(\d[^\s(]*)/m.exec(output);
  if (!version) return undefined;
  const args = /^configure options:(.*)$/m.exec(output);
  return { version: version[1], configureArgs: args ? splitConfigureArgs(args[1]) : [] };
}

export const keepalivedProduct: SourceProduct = {
  name: 'keepalived',
  binaryPath: (prefix) => `${prefix.replace(/\/$/, '')}/sbin/keepalived`,
  versionFlag: '-v',
  parseVersionOutput: parseKeepalivedV,
  // automake's silent rules print `  CC       vrrp.o`; verbose builds print the gcc -c line.
  compileLine: /^\s*CC\s+\S+\.o\b|\s-c\s.*\.c\b/,
  countObjectsScript: "find keepalived lib -name '*.c' 2>/dev/null | wc -l",
};

/** Build dependencies: the seed's RHEL toolchain plus OpenSSL headers; Debian's equivalents. */
export const KEEPALIVED_BUILD_DEPS = {
  RedHat: ['gcc', 'make', 'openssl-devel', 'libnl3-devel'],
  Debian: ['build-essential', 'libssl-dev'],
} as const;
