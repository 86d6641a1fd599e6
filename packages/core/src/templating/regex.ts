/** Ansible's regex filters take Python regular expressions; translate the parts that differ in JavaScript. */
export function pythonRegex(pattern: string, flags = ''): RegExp {
  let src = pattern.replace(/\(\?P<([A-Za-z_]\w*)>/g, '(?<$1>').replace(/\(\?P=([A-Za-z_]\w*)\)/g, '\\k<$1>');
  // Python's inline flags at the start, e.g. (?i) or (?m).
  const inline = /^\(\?([aiLmsux]+)\)/.exec(src);
  if (inline) {
    src = src.slice(inline[0].length);
    for (const f of inline[1]) if ('ims'.includes(f) && !flags.includes(f)) flags += f;
  }
  src = src.replace(/\\A/g, '^').replace(/\\Z/g, '$');
  return new RegExp(src, flags);
}

/** Python replacement strings use \1 and \g<name>; JavaScript uses $1 and $<name>. */
export function pythonReplacement(replacement: string): string {
  return replacement
    .replace(/\$/g, '$$$$')
    .replace(/\\g<(\d+)>/g, '$$$1')
    .replace(/\\g<([A-Za-z_]\w*)>/g, '$$<$1>')
    .replace(/\\(\d+)/g, '$$$1')
    .replace(/\\\\/g, '\\');
}
