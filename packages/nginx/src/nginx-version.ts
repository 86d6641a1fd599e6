import { splitConfigureArgs, type BuiltBinary, type SourceProduct } from '@haweb/hostkit';

/**
 * `nginx -V` prints (to stderr) `nginx version: nginx/1.22.1`, compiler and library lines, then
 * `configure arguments: --prefix=/usr/local/nginx ...` (the line is absent when configure got none).
 */
export function parseNginxV(output: string): BuiltBinary | undefined {
  const version = /^nginx version: [^/\s]+\/(\S+)/m.exec(output);
  if (!version) return undefined;
  const args = /^configure arguments:(.*)$/m.exec(output);
  return { version: version[1], configureArgs: args ? splitConfigureArgs(args[1]) : [] };
}

export const nginxProduct: SourceProduct = {
  name: 'nginx',
  binaryPath: (prefix) => `${prefix.replace(/\/$/, '')}/sbin/nginx`,
  versionFlag: '-V',
  parseVersionOutput: parseNginxV,
  // nginx's Makefile compiles each object with `... -o objs/src/core/nginx.o \`.
  compileLine: /-o objs\/\S+\.o\b/,
  countObjectsScript: "grep -c '^objs/.*\\.o:' objs/Makefile",
};
