import { basename } from 'node:path';

/** Upstream (`nginx-1.22.1.tar.gz`) and Debian orig (`nginx_1.22.1.orig.tar.gz`) tarball names. */
const TARBALL_NAME = /^(?<name>[A-Za-z][A-Za-z0-9+.-]*?)[-_](?<version>\d+(?:\.\d+)+[A-Za-z0-9.~+-]*?)(?:\.orig)?\.(?:tar\.gz|tgz|tar\.xz|tar\.bz2|tar)$/;

export interface TarballName {
  name: string;
  version: string;
}

export function parseTarballName(pathOrName: string): TarballName | undefined {
  const m = TARBALL_NAME.exec(basename(pathOrName));
  if (!m?.groups) return undefined;
  return { name: m.groups.name, version: m.groups.version };
}

/** The version declared by the args, or the one in the tarball's name; an error says which is missing. */
export function declaredVersion(src: string, version: string | undefined): string {
  if (version) return version;
  const parsed = parseTarballName(src);
  if (!parsed) {
    throw new Error(`cannot tell the version from the tarball name ${basename(src)}: pass version`);
  }
  return parsed.version;
}

