/**
 * An INI file edited as community.general.ini_file edits it: the same lines found, replaced, removed
 * and added, in the same places (its quirks included: the blank first line of a new file, the
 * `option = value` spacing, `exclusive` and `allow_no_value`). Pure: old content in, new content,
 * changed and Ansible's message out.
 */

export interface IniArgs {
  section?: string | null;
  option?: string | null;
  /** value or values, deduplicated, in order. */
  values: string[];
  state: 'present' | 'absent';
  exclusive: boolean;
  noExtraSpaces: boolean;
  allowNoValue: boolean;
}

export interface IniEdit {
  changed: boolean;
  /** The file's new content ('' lines joined). */
  content: string;
  /** Ansible's msg: OK, option changed, option added, section removed, section and option added, only section added. */
  msg: string;
}

/** The section name ini_file uses when none is given: it matches no real section. */
const FAKE_SECTION = 'ad01e11446efb704fcdbdb21f2c43757423d91c5';

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** `[#;]?( |\t)*(option)( |\t)*(=|$)( |\t)*(.*)` at the start of the line: group 6 is the value. */
function matchOpt(option: string, line: string, commented = true): RegExpExecArray | null {
  return new RegExp(`^${commented ? '[#;]?' : ''}( |\\t)*(${escapeRe(option)})( |\\t)*(=|$)( |\\t)*(.*)`, 's').exec(firstLine(line));
}

/** Python's re.match with `$` and `.`: `.` stops at a newline, `$` matches before a final newline. */
function firstLine(line: string): string {
  return line.endsWith('\n') ? line.slice(0, -1) : line;
}

/** Lines as Python's readlines() gives them (each keeps its '\n'). */
export function iniLines(content: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < content.length; i++) {
    if (content[i] === '\n') {
      out.push(content.slice(start, i + 1));
      start = i + 1;
    }
  }
  if (start < content.length) out.push(content.slice(start));
  return out;
}

/** Ansible's do_ini, on the content (undefined: the file does not exist). */
export function planIniEdit(content: string | undefined, args: IniArgs): IniEdit {
  const values: string[] = [];
  for (const v of args.values) if (!values.includes(v)) values.push(v);
  const option = args.option ?? undefined;
  // A UTF-8 byte order mark is read away (Python's utf-8-sig) and not written back.
  const lines = iniLines((content ?? '').replace(/^\uFEFF/, ''));
  let changed = false;
  if (lines.length === 0) lines.push('\n');
  const last = lines[lines.length - 1];
  if (last === '' || !last.endsWith('\n')) {
    lines[lines.length - 1] = `${last}\n`;
    changed = true;
  }
  lines.unshift(`[${FAKE_SECTION}]`);
  lines.push('[');
  const section = args.section ? args.section : FAKE_SECTION;
  let within = !section;
  let start = 0;
  let end = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].startsWith(`[${section}]`)) {
      within = true;
      start = i;
    } else if (lines[i].startsWith('[') && within) {
      end = i;
      break;
    }
  }
  const before = lines.slice(0, start);
  let sectionLines = lines.slice(start, end);
  const after = lines.slice(end);
  let changedLines = sectionLines.map(() => 0);
  let msg = 'OK';
  const assign = (o: string, v: string): string => (args.noExtraSpaces ? `${o}=${v}\n` : `${o} = ${v}\n`);
  let noValuePresent = false;
  const update = (index: number, newline: string): void => {
    if (sectionLines[index] !== newline) {
      changed = true;
      msg = 'option changed';
    }
    sectionLines[index] = newline;
    changedLines[index] = 1;
  };

  if (args.state === 'present' && option) {
    for (let i = 0; i < sectionLines.length; i++) {
      const m = matchOpt(option, sectionLines[i]);
      if (!m) continue;
      if (values.length > 0 && values.includes(m[6])) {
        const matched = m[6];
        if (!matched && args.allowNoValue) {
          update(i, `${option}\n`);
          noValuePresent = true;
        } else update(i, assign(option, matched));
        values.splice(values.indexOf(matched), 1);
      } else if (values.length === 0 && args.allowNoValue) {
        update(i, `${option}\n`);
        noValuePresent = true;
        break;
      }
    }
  }

  if (args.state === 'present' && args.exclusive && !args.allowNoValue) {
    if (values.length > 0) {
      for (let i = 0; i < sectionLines.length; i++) {
        if (!changedLines[i] && option !== undefined && matchOpt(option, sectionLines[i])) {
          update(i, assign(option, values.shift()!));
          if (values.length === 0) break;
        }
      }
    }
    for (let i = sectionLines.length - 1; i > 0; i--) {
      // Ansible matches the literal "None" when no option is given.
      if (!changedLines[i] && matchOpt(option ?? 'None', sectionLines[i])) {
        sectionLines.splice(i, 1);
        changedLines.splice(i, 1);
        changed = true;
        msg = 'option changed';
      }
    }
  }

  if (args.state === 'present') {
    const blankOrComment = /^[ \t]*([#;].*)?$/s;
    for (let i = sectionLines.length; i > 0; i--) {
      if (blankOrComment.test(firstLine(sectionLines[i - 1]))) continue;
      if (option && values.length > 0) {
        for (const v of [...values].reverse()) {
          sectionLines.splice(i, 0, assign(option, v));
          msg = 'option added';
          changed = true;
        }
      } else if (option && values.length === 0 && args.allowNoValue && !noValuePresent) {
        sectionLines.splice(i, 0, `${option}\n`);
        msg = 'option added';
        changed = true;
      }
      break;
    }
  }

  if (args.state === 'absent') {
    if (option) {
      if (args.exclusive) {
        const kept = sectionLines.filter((l) => !matchOpt(option, l, false));
        if (kept.length !== sectionLines.length) {
          changed = true;
          msg = 'option changed';
          sectionLines = kept;
        }
      } else if (values.length > 0) {
        const kept = sectionLines.filter((l) => {
          const m = matchOpt(option, l, false);
          return !(m && values.includes(m[6]));
        });
        if (kept.length !== sectionLines.length) {
          changed = true;
          msg = 'option changed';
          sectionLines = kept;
        }
      }
    } else if (sectionLines.length > 0) {
      sectionLines = [];
      msg = 'section removed';
      changed = true;
    }
  }
  changedLines = [];

  const out = [...before, ...sectionLines, ...after];
  out.shift();
  out.pop();
  if (!within && args.state === 'present') {
    out.push(`[${section}]\n`);
    msg = 'section and option added';
    if (option && values.length > 0) for (const v of values) out.push(assign(option, v));
    else if (option && values.length === 0 && args.allowNoValue) out.push(`${option}\n`);
    else msg = 'only section added';
    changed = true;
  }
  return { changed, content: out.join(''), msg };
}
