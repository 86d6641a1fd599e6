import type { FileDiff, ModuleResult } from '@haweb/core';

export function ok(msg?: string, extra: Record<string, unknown> = {}): ModuleResult {
  return { changed: false, ...(msg ? { msg } : {}), ...extra };
}

export function changed(msg?: string, extra: Record<string, unknown> = {}): ModuleResult {
  return { changed: true, ...(msg ? { msg } : {}), ...extra };
}

export function failed(msg: string, extra: Record<string, unknown> = {}): ModuleResult {
  return { changed: false, failed: true, msg, ...extra };
}

/** A diff for one path; `undefined` content shows as an empty side (absent file). */
export function fileDiff(path: string, before: string | undefined, after: string | undefined): FileDiff {
  return {
    before: before ?? '',
    after: after ?? '',
    beforeHeader: before === undefined ? `${path} (absent)` : path,
    afterHeader: after === undefined ? `${path} (absent)` : path,
  };
}

/** A diff that only reports a state change (mode, owner, presence), as Ansible's file module does. */
export function stateDiff(path: string, before: Record<string, unknown>, after: Record<string, unknown>): FileDiff {
  const show = (o: Record<string, unknown>) =>
    Object.entries(o)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}: ${String(v)}\n`)
      .join('');
  return { before: show(before), after: show(after), beforeHeader: `${path} (state)`, afterHeader: `${path} (state)` };
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
