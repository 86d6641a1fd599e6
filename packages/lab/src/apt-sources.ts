/**
 * Reading the machine's apt configuration (never changing it): the Debian mirror for debootstrap, and a
 * deb-src variant of the configured sources for `lab sources`. Pure functions over file contents.
 */

export const DEB822_SOURCES = '/etc/apt/sources.list.d/debian.sources';
export const ONE_LINE_SOURCES = '/etc/apt/sources.list';

interface Stanza {
  fields: Map<string, string>;
}

/** Parses deb822 stanzas (blank-line separated "Key: value" blocks; comments start with #). */
export function parseDeb822(text: string): Stanza[] {
  const stanzas: Stanza[] = [];
  let current: Map<string, string> | undefined;
  let lastKey: string | undefined;
  for (const raw of text.split('\n')) {
    if (raw.startsWith('#')) continue;
    if (raw.trim() === '') {
      if (current && current.size > 0) stanzas.push({ fields: current });
      current = undefined;
      lastKey = undefined;
      continue;
    }
    current ??= new Map();
    if (/^\s/.test(raw) && lastKey) {
      current.set(lastKey, `${current.get(lastKey)}\n${raw}`);
      continue;
    }
    const colon = raw.indexOf(':');
    if (colon <= 0) continue;
    lastKey = raw.slice(0, colon).trim();
    current.set(lastKey, raw.slice(colon + 1).trim());
  }
  if (current && current.size > 0) stanzas.push({ fields: current });
  return stanzas;
}

function get(stanza: Stanza, key: string): string | undefined {
  for (const [k, v] of stanza.fields) if (k.toLowerCase() === key.toLowerCase()) return v;
  return undefined;
}

interface OneLineEntry {
  type: string;
  options: string;
  uri: string;
  suite: string;
  components: string[];
}

function parseOneLine(text: string): OneLineEntry[] {
  const entries: OneLineEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const match = /^(deb|deb-src)\s+(\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s*(.*)$/.exec(line);
    if (!match) continue;
    entries.push({
      type: match[1],
      options: (match[2] ?? '').trim(),
      uri: match[3],
      suite: match[4],
      components: match[5].split(/\s+/).filter(Boolean),
    });
  }
  return entries;
}

/**
 * The mirror debootstrap should use: the first URI of a `deb` source in the deb822 file, else the first
 * `deb` line of sources.list. Undefined when neither names one.
 */
export function mirrorFromSources(files: { deb822?: string; oneLine?: string }): string | undefined {
  for (const stanza of parseDeb822(files.deb822 ?? '')) {
    const types = (get(stanza, 'Types') ?? '').split(/\s+/);
    const uris = (get(stanza, 'URIs') ?? '').split(/\s+/).filter(Boolean);
    if (types.includes('deb') && uris.length > 0) return uris[0];
  }
  const entry = parseOneLine(files.oneLine ?? '').find((e) => e.type === 'deb');
  return entry?.uri;
}

/**
 * A deb-src sources file (deb822) with the same URIs, suites, components and keyrings as the machine's
 * `deb` sources. Throws when the machine has no deb source to derive from.
 */
export function deriveDebSrc(files: { deb822?: string; oneLine?: string }): string {
  const out: string[] = [];
  for (const stanza of parseDeb822(files.deb822 ?? '')) {
    const types = (get(stanza, 'Types') ?? '').split(/\s+/);
    if (!types.includes('deb')) continue;
    if ((get(stanza, 'Enabled') ?? 'yes').toLowerCase() === 'no') continue;
    const block = ['Types: deb-src'];
    for (const key of ['URIs', 'Suites', 'Components', 'Signed-By']) {
      const value = get(stanza, key);
      if (value !== undefined) block.push(`${key}: ${value}`);
    }
    out.push(block.join('\n'));
  }
  for (const entry of parseOneLine(files.oneLine ?? '')) {
    if (entry.type !== 'deb') continue;
    const block = ['Types: deb-src', `URIs: ${entry.uri}`, `Suites: ${entry.suite}`];
    if (entry.components.length > 0) block.push(`Components: ${entry.components.join(' ')}`);
    const signedBy = /signed-by=(\S+?)\s*(\]|$)/.exec(entry.options.replace(/^\[|\]$/g, ''));
    if (signedBy) block.push(`Signed-By: ${signedBy[1]}`);
    out.push(block.join('\n'));
  }
  if (out.length === 0) {
    throw new Error(`no "deb" source found in ${DEB822_SOURCES} or ${ONE_LINE_SOURCES} to derive deb-src from`);
  }
  return `${out.join('\n\n')}\n`;
}
