import type { TagSelection } from './types.js';

/**
 * Ansible's tag rules: with no --tags everything runs except `never`; `always` runs unless skipped by
 * name; `never` runs only when one of its tags is asked for; `all`, `tagged`, `untagged` are keywords.
 */
export function tagsSelect(taskTags: readonly string[], selection: TagSelection): boolean {
  const tags = new Set(taskTags);
  const skip = new Set(selection.skip);
  const only = new Set(selection.only);
  if ([...tags].some((t) => skip.has(t))) return false;
  if (skip.has('tagged') && tags.size > 0) return false;
  if (skip.has('untagged') && tags.size === 0) return false;
  if (tags.has('always') && !skip.has('always')) return true;
  if (tags.has('never')) return [...tags].some((t) => t !== 'never' && only.has(t)) || only.has('never');
  if (only.size === 0 || only.has('all')) return true;
  if (only.has('tagged') && tags.size > 0) return true;
  if (only.has('untagged') && tags.size === 0) return true;
  return [...tags].some((t) => only.has(t));
}
