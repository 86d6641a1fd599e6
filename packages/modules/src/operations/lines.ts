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
  /** lineinfile state=absent: how many lines were found (and removed). */
  found?: number;
}

export class EditError extends Error {}

export function compileRegexp(source: string, what: string): RegExp {
  // Python's named groups (?P<name>...) and backreference (?P=name) have JS spellings.
  const js = source.replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
  try {
    return new RegExp(js);
  } catch (err) {
    throw new EditError(`invalid ${what} regular expression ${JSON.stringify(source)}: ${(err as Error).message}`);
  }
}

/**
 * Python's match.expand(template): \1 (up to two digits), \g<1>, \g<name> become the groups (an
 * unmatched group is empty), and the escapes \n \t \r \f \v \a \b \\ their characters; any other
 * backslash stays as written.
 */
export function expandBackrefs(template: string, match: RegExpExecArray): string {
  const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07', b: '\b', '\\': '\\' };
  return template.replace(/\\(?:(\d{1,2})|g<(\w+)>|([ntrfvab\\]))/g, (_all, num: string | undefined, name: string | undefined, esc: string | undefined) => {
    if (esc !== undefined) return escapes[esc];
    const key = num ?? name!;
    const value = /^\d+$/.test(key) ? match[Number(key)] : match.groups?.[key];
    return value ?? '';
  });
}

/** Python's readlines() on bytes: every line keeps its "\n" (the last one may have none). */
export function readLines(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  while (start < text.length) {
    const i = text.indexOf('\n', start);
    if (i < 0) {
      out.push(text.slice(start));
      break;
    }
    out.push(text.slice(start, i + 1));
    start = i + 1;
  }
  return out;
}

/** Python's line.rstrip(b'\r\n'). */
const rstripEol = (line: string): string => line.replace(/[\r\n]+$/, '');

/**
 * Python's re.search on a line that still has its "\n": `$` matches at the end or before that final
 * newline, which JavaScript's `$` does on the line without it.
 */
function searchLine(re: RegExp, line: string): RegExpExecArray | null {
  return re.exec(line.endsWith('\n') ? line.slice(0, -1) : line);
}

/**
 * lineinfile, as Ansible 2.14's module edits (its present() and absent(), line for line): a line that
 * regexp or search_string finds is replaced (the last one found, or the first with firstmatch); else,
 * unless the line is already there, it is inserted after/before the last (or first) line insertafter/
 * insertbefore finds, or at EOF/BOF. Lines keep their own endings; added lines end in "\n".
 */
export function editLine(before: string, args: LineArgs): TextEdit {
  const lines = readLines(before);
  if (args.state === 'absent') return removeLines(before, lines, args);
  if (args.line === undefined) throw new EditError('line is required with state=present');
  const line = args.line;
  const insertbefore = args.insertbefore;
  const insertafter = args.insertbefore === undefined && args.insertafter === undefined ? 'EOF' : args.insertafter;
  const bre = args.regexp !== undefined ? compileRegexp(args.regexp, 'regexp') : undefined;
  let ins: RegExp | undefined;
  if (insertafter !== undefined && insertafter !== 'BOF' && insertafter !== 'EOF') ins = compileRegexp(insertafter, 'insertafter');
  else if (insertbefore !== undefined && insertbefore !== 'BOF') ins = compileRegexp(insertbefore, 'insertbefore');

  let found = -1;
  let at = -1;
  let match: RegExpExecArray | boolean | null = null;
  if (bre) {
    for (let i = 0; i < lines.length; i++) {
      const m = searchLine(bre, lines[i]);
      if (m) {
        found = i;
        match = m;
        if (args.firstmatch) break;
      }
    }
  }
  if (args.search_string !== undefined) {
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].includes(args.search_string)) {
        found = i;
        match = true;
        if (args.firstmatch) break;
      }
    }
  }
  if (!match) {
    for (let i = 0; i < lines.length; i++) {
      if (line === rstripEol(lines[i])) {
        found = i;
      } else if (ins && searchLine(ins, lines[i])) {
        if (insertafter !== undefined) {
          at = i + 1;
          if (args.firstmatch) break;
        }
        if (insertbefore !== undefined) {
          at = i;
          if (args.firstmatch) break;
        }
      }
    }
  }

  const next = [...lines];
  const added = (): TextEdit => ({ content: next.join(''), changed: true, msg: 'line added' });
  const endsWithEol = (l: string) => l.endsWith('\n') || l.endsWith('\r');
  if (found !== -1) {
    let newLine = args.backrefs && match && typeof match !== 'boolean' ? expandBackrefs(line, match) : line;
    if (!newLine.endsWith('\n')) newLine += '\n';
    if (next[found] === newLine) return { content: before, changed: false, msg: '' };
    next[found] = newLine;
    return { content: next.join(''), changed: true, msg: 'line replaced' };
  }
  if (args.backrefs) return { content: before, changed: false, msg: '' };
  if (insertbefore === 'BOF' || insertafter === 'BOF') {
    next.unshift(`${line}\n`);
    return added();
  }
  if (insertafter === 'EOF' || at === -1) {
    if (next.length && !endsWithEol(next[next.length - 1])) next.push('\n');
    next.push(`${line}\n`);
    return added();
  }
  if (insertafter !== undefined) {
    if (next.length === at) {
      if (rstripEol(next[at - 1]) === line) return { content: before, changed: false, msg: '' };
      next.push(`${line}\n`);
      return added();
    }
    if (rstripEol(next[at]) === line) return { content: before, changed: false, msg: '' };
    next.splice(at, 0, `${line}\n`);
    return added();
  }
  next.splice(at, 0, `${line}\n`);
  return added();
}

/** lineinfile state=absent: every line regexp/search_string finds (or equal to line) goes. */
function removeLines(before: string, lines: string[], args: LineArgs): TextEdit {
  const re = args.regexp !== undefined ? compileRegexp(args.regexp, 'regexp') : undefined;
  const matches = (l: string): boolean =>
    re ? searchLine(re, l) !== null : args.search_string !== undefined ? l.includes(args.search_string) : args.line === rstripEol(l);
  const kept = lines.filter((l) => !matches(l));
  const found = lines.length - kept.length;
  return { content: found ? kept.join('') : before, changed: found > 0, msg: found ? `${found} line(s) removed` : '', found };
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

/** Python's bytes.splitlines(True): lines end at \n, \r\n or \r, and keep their ending. */
export function splitLinesKeepEnds(text: string): string[] {
  return text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
}

/** A pattern with Python's inline MULTILINE flag (`(?m)...`): searched over the whole text. */
function multilinePattern(source: string, what: string): RegExp | undefined {
  const m = /^\(\?([aiLmsux]+)\)/.exec(source);
  if (!m || !m[1].includes('m')) return undefined;
  const flags = `m${m[1].includes('i') ? 'i' : ''}${m[1].includes('s') ? 's' : ''}`;
  try {
    return new RegExp(compileRegexp(source.slice(m[0].length), what).source, flags);
  } catch (err) {
    throw new EditError(`invalid ${what} regular expression ${JSON.stringify(source)}: ${(err as Error).message}`);
  }
}

/**
 * blockinfile, as Ansible 2.14's module edits: the old block (between the marker lines) is replaced in
 * place, or the new one inserted after/before the last line insertafter/insertbefore finds (a `(?m)`
 * pattern is searched over the whole file), else at EOF/BOF. An empty block (or state=absent) removes
 * the block. `msg` is Ansible's: '' when nothing changed, 'File created', 'Block removed' or
 * 'Block inserted'.
 */
export function editBlock(before: string | undefined, args: BlockArgs): TextEdit {
  const original = before;
  const lines = original === undefined ? [] : splitLinesKeepEnds(original);
  const present = args.state === 'present';
  const insertbefore = args.insertbefore;
  const insertafter = args.insertbefore === undefined && args.insertafter === undefined ? 'EOF' : args.insertafter;
  let insertre: RegExp | undefined;
  let multiline: RegExp | undefined;
  const pattern = insertafter !== undefined && insertafter !== 'EOF' ? { source: insertafter, what: 'insertafter' } : insertbefore !== undefined && insertbefore !== 'BOF' ? { source: insertbefore, what: 'insertbefore' } : undefined;
  if (pattern) {
    multiline = multilinePattern(pattern.source, pattern.what);
    if (!multiline) insertre = compileRegexp(pattern.source, pattern.what);
  }
  const marker0 = `${args.marker.replace(/\{mark\}/g, args.marker_begin)}\n`;
  const marker1 = `${args.marker.replace(/\{mark\}/g, args.marker_end)}\n`;
  let block = args.block;
  let blocklines: string[] = [];
  if (present && block) {
    if (!block.endsWith('\n')) block += '\n';
    blocklines = [marker0, ...splitLinesKeepEnds(block), marker1];
  }
  let n0: number | undefined;
  let n1: number | undefined;
  lines.forEach((line, i) => {
    if (line === marker0) n0 = i;
    if (line === marker1) n1 = i;
  });
  if (n0 === undefined || n1 === undefined) {
    n0 = undefined;
    if (multiline || insertre) {
      if (multiline) {
        const m = multiline.exec(original ?? '');
        if (m) {
          const text = original ?? '';
          const upTo = insertafter !== undefined ? m.index + m[0].length : m.index;
          n0 = (text.slice(0, upTo).match(/\n/g) ?? []).length;
        }
      } else {
        lines.forEach((line, i) => {
          if (searchLine(insertre!, line)) n0 = i;
        });
      }
      if (n0 === undefined) n0 = lines.length;
      else if (insertafter !== undefined) n0 += 1;
    } else if (insertbefore !== undefined) {
      n0 = 0;
    } else {
      n0 = lines.length;
    }
  } else if (n0 < n1) {
    lines.splice(n0, n1 - n0 + 1);
  } else {
    lines.splice(n1, n0 - n1 + 1);
    n0 = n1;
  }
  if (n0 > 0 && !lines[n0 - 1].endsWith('\n')) lines[n0 - 1] += '\n';
  lines.splice(n0, 0, ...blocklines);
  const result = lines.join('');
  if (original === result) return { content: result, changed: false, msg: '' };
  if (original === undefined) return { content: result, changed: true, msg: 'File created' };
  if (blocklines.length === 0) return { content: result, changed: true, msg: 'Block removed' };
  return { content: result, changed: true, msg: 'Block inserted' };
}
