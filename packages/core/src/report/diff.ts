import { createTwoFilesPatch } from 'diff';
import type { FileDiff } from '../contract/module.js';

/** A FileDiff as a unified diff (headers ---/+++, @@ hunks), without the `Index:`/`===` preamble; a prepared one as it is. */
export function unifiedDiff(d: FileDiff): string {
  // Ansible's diff callback prints a prepared diff as the module wrote it.
  if (d.prepared !== undefined) return d.prepared.endsWith('\n') ? d.prepared : `${d.prepared}\n`;
  const before = d.before.endsWith('\n') || d.before === '' ? d.before : `${d.before}\n`;
  const after = d.after.endsWith('\n') || d.after === '' ? d.after : `${d.after}\n`;
  const patch = createTwoFilesPatch(d.beforeHeader ?? 'before', d.afterHeader ?? 'after', before, after, undefined, undefined, {
    context: 3,
  });
  return patch
    .split('\n')
    .filter((line) => !line.startsWith('===') && !line.startsWith('Index:'))
    .join('\n')
    .replace(/\n+$/, '\n');
}
