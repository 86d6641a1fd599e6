/**
 * The fragments of a folder on the host, for assemble: whether the folder exists and is one, and each
 * regular file directly in it (symlinks followed, as Python's os.path.isfile) with its content. Names
 * and contents travel base64-encoded, so any byte survives. The parser is pure.
 */
import { shellQuote, type Fact } from '@haweb/core';

export type FragmentsState =
  | { kind: 'missing' }
  | { kind: 'not-a-directory' }
  | { kind: 'directory'; files: { name: string; content: Buffer }[] };

export const fragmentFiles: Fact<{ path: string }, FragmentsState> = {
  name: 'host.fragments',
  command({ path }) {
    const p = shellQuote(path);
    return [
      `if [ ! -e ${p} ]; then echo missing; exit 0; fi`,
      `if [ ! -d ${p} ]; then echo not-a-directory; exit 0; fi`,
      `cd ${p} || exit 1`,
      'echo directory',
      `for f in * .[!.]* ..?*; do [ -f "$f" ] || continue; printf '%s ' "$(printf '%s' "$f" | base64 -w0)"; base64 -w0 < "$f" || exit 1; echo; done`,
    ].join('\n');
  },
  parse(stdout, code) {
    const lines = stdout.split('\n');
    if (code !== 0) throw new Error(`cannot read the fragments: exit ${code}`);
    if (lines[0] === 'missing') return { kind: 'missing' };
    if (lines[0] === 'not-a-directory') return { kind: 'not-a-directory' };
    const files = lines
      .slice(1)
      .filter((l) => l.trim() !== '')
      .map((l) => {
        const [name, content = ''] = l.split(' ');
        return { name: Buffer.from(name, 'base64').toString('utf8'), content: Buffer.from(content, 'base64') };
      });
    return { kind: 'directory', files };
  },
};
