/**
 * File modes as playbooks write them: octal ("0644", "644", 644 read by YAML 1.2 as decimal digits)
 * or symbolic ("u=rw,g=r,o=r", "u+x", "a-w", "g+X"). Resolved against the current mode, like chmod.
 */

export type ModeSpec = { kind: 'octal'; value: number } | { kind: 'symbolic'; text: string };

const SYMBOLIC_CLAUSE = /^[ugoa]*([-+=][rwxXst]*)+$/;

export function parseMode(input: string | number): ModeSpec {
  // YAML 1.2 reads `mode: 0644` as the decimal number 644: its digits are the octal mode.
  const text = typeof input === 'number' ? String(input) : input.trim();
  if (/^0?[0-7]{3,4}$/.test(text)) return { kind: 'octal', value: parseInt(text, 8) };
  if (/^0o[0-7]{3,4}$/i.test(text)) return { kind: 'octal', value: parseInt(text.slice(2), 8) };
  if (text !== '' && text.split(',').every((c) => SYMBOLIC_CLAUSE.test(c))) return { kind: 'symbolic', text };
  throw new Error(`invalid mode ${JSON.stringify(input)}: use octal like "0644" or symbolic like "u=rw,g=r,o=r"`);
}

/** The mode a file ends up with after `chmod spec` (permission bits plus setuid/setgid/sticky). */
export function resolveMode(spec: ModeSpec, current: number, isDirectory: boolean): number {
  if (spec.kind === 'octal') return spec.value;
  let mode = current & 0o7777;
  for (const clause of spec.text.split(',')) {
    const whoText = clause.match(/^[ugoa]*/)![0];
    // No "who" means all (chmod would also apply the umask here; a provisioner wants the literal meaning).
    const who = whoText || 'a';
    const whoMask = (who.includes('a') ? 0o777 : 0) | (who.includes('u') ? 0o700 : 0) | (who.includes('g') ? 0o070 : 0) | (who.includes('o') ? 0o007 : 0);
    const special =
      (who.includes('a') || who.includes('u') ? 0o4000 : 0) | (who.includes('a') || who.includes('g') ? 0o2000 : 0);
    for (const action of clause.slice(whoText.length).match(/[-+=][rwxXst]*/g) ?? []) {
      const op = action[0];
      const perms = action.slice(1);
      let bits = 0;
      if (perms.includes('r')) bits |= 0o444;
      if (perms.includes('w')) bits |= 0o222;
      if (perms.includes('x')) bits |= 0o111;
      if (perms.includes('X') && (isDirectory || (mode & 0o111) !== 0)) bits |= 0o111;
      bits &= whoMask;
      if (perms.includes('s')) bits |= special;
      if (perms.includes('t') && (who.includes('a') || who.includes('o') || who === '')) bits |= 0o1000;
      if (op === '+') mode |= bits;
      else if (op === '-') mode &= ~bits;
      else mode = (mode & ~(whoMask | (perms.includes('s') ? special : 0))) | bits;
    }
  }
  return mode;
}

export function formatMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}
