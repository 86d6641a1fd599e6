/**
 * Text edits of lineinfile and blockinfile as pure functions: old content -> new content.
 * Regular expressions are searched (not anchored), as Python's re.search does.
 */

export interface LineArgs {
  line?: string;
  regexp?: string;
  /** Literal alternative to regexp. */
  search_string?: string;
  state: 'present' | 'absent';
  insertafter?: string;
  insertbefore?: string;
  firstmatch?: boolean;
  backrefs?: boolean;
}

export interface TextEdit {
  content: string;
  changed: boolean;
  msg: string;
}

export class EditError extends Error {}

/** Split keeping the information whether the text ended with a newline. */
function splitLines(text: string): { lines: string[]; trailingNewline: boolean } {
  if (text === '') return { lines: [], trailingNewline: true };
  const trailingNewline = text.endsWith('\n');
  const lines = (trailingNewline ? text.slice(0, -1) : text).split('\n');
  return { lines, trailingNewline };
}

function joinLines(lines: string[], trailingNewline: boolean): string {
  if (lines.length === 0) return '';
  return lines.join('\n') + (trailingNewline ? '\n' : '');
}

export function compileRegexp(source: string, what: string): RegExp {
  // Python's named groups (?P<name>...) and backreference (?P=name) have JS spellings.
  const js = source.replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
  try {
    return new RegExp(js);
  } catch (err) {
    throw new EditError(`invalid ${what} regular expression ${JSON.stringify(source)}: ${(err as Error).message}`);
  }
}

/** Expand \1, \g<1>, \g<name> in `template` with a match's groups (Python's re.expand). */
export function expandBackrefs(template: string, match: RegExpExecArray): string {
  return template.replace(/\\(\d+)|\\g<(\w+)>/g, (_all, num: string | undefined, name: string | undefined) => {
    const key = num ?? name!;
    const value = /^\d+$/.test(key) ? match[Number(key)] : match.groups?.[key];
    return value ?? '';
  });
}

function findIndex(lines: string[], test: (l: string) => boolean, first: boolean): number {
  if (first) return lines.findIndex(test);
  for (let i = lines.length - 1; i >= 0; i--) if (test(lines[i])) return i;
  return -1;
}

export function editLine(before: string, args: LineArgs): TextEdit {
  const { lines, trailingNewline } = splitLines(before);
  const matcher: ((l: string) => boolean) | undefined = args.regexp !== undefined
    ? ((re) => (l: string) => re.test(l))(compileRegexp(args.regexp, 'regexp'))
    : args.search_string !== undefined
      ? (l: string) => l.includes(args.search_string!)
      : undefined;

  if (args.state === 'absent') {
    const remove = matcher ?? ((l: string) => l === args.line);
    const kept = lines.filter((l) => !remove(l));
    const removed = lines.length - kept.length;
    return {
      content: removed ? joinLines(kept, trailingNewline || kept.length > 0) : before,
      changed: removed > 0,
      msg: removed ? `${removed} line(s) removed` : 'no matching line',
    };
  }

  if (args.line === undefined) throw new EditError('state=present needs line');
  let line = args.line;
  if (matcher) {
    const index = findIndex(lines, matcher, args.firstmatch === true);
    if (index >= 0) {
      if (args.backrefs && args.regexp !== undefined) {
        const m = compileRegexp(args.regexp, 'regexp').exec(lines[index])!;
        line = expandBackrefs(args.line, m);
      }
      if (lines[index] === line) return { content: before, changed: false, msg: 'line already there' };
      const next = [...lines];
      next[index] = line;
      return { content: joinLines(next, true), changed: true, msg: 'line replaced' };
    }
    // backrefs: a regexp that does not match means "leave the file alone".
    if (args.backrefs) return { content: before, changed: false, msg: 'regexp did not match (backrefs: nothing to do)' };
  }
  if (lines.includes(line)) return { content: before, changed: false, msg: 'line already there' };

  const next = [...lines];
  let at = next.length; // EOF
  if (args.insertbefore !== undefined) {
    if (args.insertbefore === 'BOF') at = 0;
    else {
      const re = compileRegexp(args.insertbefore, 'insertbefore');
      const i = findIndex(next, (l) => re.test(l), args.firstmatch === true);
      if (i >= 0) at = i;
    }
  } else if (args.insertafter !== undefined && args.insertafter !== 'EOF') {
    const re = compileRegexp(args.insertafter, 'insertafter');
    const i = findIndex(next, (l) => re.test(l), args.firstmatch === true);
    if (i >= 0) at = i + 1;
  }
  next.splice(at, 0, line);
  return { content: joinLines(next, true), changed: true, msg: 'line added' };
}

export interface BlockArgs {
  block: string;
  /** Must contain {mark}. */
  marker: string;
  marker_begin: string;
  marker_end: string;
  state: 'present' | 'absent';
  insertafter?: string;
  insertbefore?: string;
}

export const DEFAULT_BLOCK_MARKER = '# {mark} ANSIBLE MANAGED BLOCK';

export function editBlock(before: string, args: BlockArgs): TextEdit {
  if (!args.marker.includes('{mark}')) throw new EditError(`marker ${JSON.stringify(args.marker)} must contain {mark}`);
  const begin = args.marker.replace('{mark}', args.marker_begin);
  const end = args.marker.replace('{mark}', args.marker_end);
  const { lines } = splitLines(before);
  const b = lines.indexOf(begin);
  const e = b >= 0 ? lines.indexOf(end, b + 1) : -1;
  const hasBlock = b >= 0 && e > b;
  const blockLines = args.block === '' ? [] : splitLines(args.block).lines;
  const remove = args.state === 'absent' || blockLines.length === 0;

  if (remove) {
    if (!hasBlock) return { content: before, changed: false, msg: 'no block' };
    const next = [...lines.slice(0, b), ...lines.slice(e + 1)];
    return { content: joinLines(next, true), changed: true, msg: 'block removed' };
  }
  const wanted = [begin, ...blockLines, end];
  if (hasBlock) {
    const current = lines.slice(b, e + 1);
    if (current.length === wanted.length && current.every((l, i) => l === wanted[i])) {
      return { content: before, changed: false, msg: 'block already there' };
    }
    const next = [...lines.slice(0, b), ...wanted, ...lines.slice(e + 1)];
    return { content: joinLines(next, true), changed: true, msg: 'block replaced' };
  }
  let at = lines.length;
  if (args.insertbefore !== undefined) {
    if (args.insertbefore === 'BOF') at = 0;
    else {
      const re = compileRegexp(args.insertbefore, 'insertbefore');
      const i = findIndex(lines, (l) => re.test(l), false);
      if (i >= 0) at = i;
    }
  } else if (args.insertafter !== undefined && args.insertafter !== 'EOF') {
    const re = compileRegexp(args.insertafter, 'insertafter');
    const i = findIndex(lines, (l) => re.test(l), false);
    if (i >= 0) at = i + 1;
  }
  const next = [...lines.slice(0, at), ...wanted, ...lines.slice(at)];
  return { content: joinLines(next, true), changed: true, msg: 'block inserted' };
}
