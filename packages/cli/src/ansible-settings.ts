import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FactCache, Vars } from '@haweb/core';

/**
 * Ansible settings provision reads from the environment (ansible-config.ts adds ansible.cfg's to it):
 * fact caching (ANSIBLE_CACHE_PLUGIN and its _CONNECTION, _PREFIX, _TIMEOUT) and
 * ANSIBLE_JINJA2_NATIVE. A setting provision cannot match is refused with an error, never ignored:
 * running on with a different cache or templating would give different values in silence.
 */
export interface AnsibleSettings {
  factCache?: JsonFileFactCache;
}

export class SettingsError extends Error {}

/** Ansible's boolean words for settings (its config manager's `boolean`). */
const TRUE = /^(1|true|yes|on|y|t)$/i;
const FALSE = /^(0|false|no|off|n|f|)$/i;

export function ansibleSettings(env: Record<string, string | undefined>, cwd: string): AnsibleSettings {
  const native = env.ANSIBLE_JINJA2_NATIVE?.trim();
  if (native !== undefined && !FALSE.test(native)) {
    if (TRUE.test(native)) {
      throw new SettingsError('ANSIBLE_JINJA2_NATIVE=' + native + ': provision has no Jinja2 native mode (values would be rendered as text, as without it); unset it or set it to 0');
    }
    throw new SettingsError(`ANSIBLE_JINJA2_NATIVE=${native}: not a boolean`);
  }
  const plugin = env.ANSIBLE_CACHE_PLUGIN?.trim();
  let factCache: JsonFileFactCache | undefined;
  if (!isMemory(plugin)) {
    if (plugin !== 'jsonfile' && plugin !== 'ansible.builtin.jsonfile') {
      throw new SettingsError(`ANSIBLE_CACHE_PLUGIN=${plugin}: provision supports the fact cache plugins memory and jsonfile only`);
    }
    const dir = env.ANSIBLE_CACHE_PLUGIN_CONNECTION?.trim();
    // Ansible's words when the jsonfile cache has no folder.
    if (!dir) throw new SettingsError('error, \'jsonfile\' cache plugin requires the \'_uri\' config option to be set (ANSIBLE_CACHE_PLUGIN_CONNECTION)');
    const timeoutText = env.ANSIBLE_CACHE_PLUGIN_TIMEOUT?.trim();
    const timeout = timeoutText ? Number(timeoutText) : 86400;
    if (!Number.isInteger(timeout)) throw new SettingsError(`ANSIBLE_CACHE_PLUGIN_TIMEOUT=${timeoutText}: not an integer`);
    factCache = new JsonFileFactCache(resolve(cwd, dir.replace(/^~(?=$|\/)/, homedir())), env.ANSIBLE_CACHE_PLUGIN_PREFIX ?? '', timeout);
  }
  return { factCache };
}

const isMemory = (plugin: string | undefined) => !plugin || plugin === 'memory' || plugin === 'ansible.builtin.memory';

/**
 * Ansible's jsonfile fact cache: one file per host, `<folder>/<prefix><host>`, holding the host's facts
 * as a JSON object; a file older than the timeout (seconds, 0: never) is expired.
 */
export class JsonFileFactCache implements FactCache {
  constructor(
    readonly dir: string,
    readonly prefix: string,
    readonly timeout: number,
    private readonly now: () => number = Date.now,
  ) {}

  private file(host: string): string {
    return join(this.dir, this.prefix + host);
  }

  get(host: string): Vars | undefined {
    const file = this.file(host);
    if (!existsSync(file)) return undefined;
    if (this.timeout !== 0 && (this.now() - statSync(file).mtimeMs) / 1000 > this.timeout) return undefined;
    try {
      const value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      return value && typeof value === 'object' && !Array.isArray(value) ? (value as Vars) : undefined;
    } catch (e) {
      throw new SettingsError(`fact cache ${file}: not JSON (${(e as Error).message})`);
    }
  }

  set(host: string, facts: Vars): void {
    mkdirSync(this.dir, { recursive: true });
    const file = this.file(host);
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(facts, null, 4));
    renameSync(tmp, file);
  }

  delete(host: string): void {
    rmSync(this.file(host), { force: true });
  }

  /** --flush-cache: the cached facts of these hosts (the inventory's, as Ansible flushes) are gone. */
  flush(hosts: Iterable<string>): void {
    for (const host of hosts) this.delete(host);
  }
}
