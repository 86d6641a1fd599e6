/**
 * One systemd unit as systemctl reports it (Ansible's systemd module reads the same three answers:
 * `systemctl show`, `systemctl is-enabled`, and whether an init script of that name exists), plus
 * whether systemd is the host's init at all. One command, a pure parser.
 */
import { shellQuote, type Fact } from '@haweb/core';

export interface SystemdUnitFacts {
  /** systemd is PID 1 (/run/systemd/system exists, as sd_booted() checks). */
  booted: boolean;
  /** PID 1's name, to say what runs the host instead. */
  pid1: string;
  /** `systemctl show`'s properties (multi-line `{ ... }` values joined), empty without a unit. */
  show: Record<string, string>;
  showExit: number;
  /** `systemctl is-enabled` output and exit code. */
  isEnabled: string;
  isEnabledExit: number;
  /** /etc/init.d/<name> exists, and has an S link in a runlevel folder. */
  initScript: boolean;
  initScriptEnabled: boolean;
  /**
   * systemctl cannot answer here: the task's environment sets SYSTEMD_OFFLINE=1, or the host is a
   * chroot (/ is not init's root). Ansible then warns instead of failing on an unknown state.
   */
  offline?: boolean;
}

/**
 * systemctl show's key=value lines; a value that opens with `{` and does not close on its line
 * continues until a line that ends with `}` (ExecStart and friends), as Ansible's parser reads it.
 */
export function parseSystemctlShow(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let key: string | undefined;
  let value: string[] = [];
  for (const line of text.split('\n')) {
    if (key === undefined) {
      const eq = line.indexOf('=');
      if (eq <= 0) continue;
      const k = line.slice(0, eq);
      const v = line.slice(eq + 1);
      if (v.trimStart().startsWith('{') && !v.trimEnd().endsWith('}')) {
        key = k;
        value = [v];
      } else {
        out[k] = v.trim();
      }
    } else {
      value.push(line);
      if (line.trimEnd().endsWith('}')) {
        out[key] = value.join('\n').trim();
        key = undefined;
      }
    }
  }
  return out;
}

export const systemdUnitFacts: Fact<{ name?: string }, SystemdUnitFacts> = {
  name: 'systemd-unit',
  command({ name }) {
    const lines = [
      '[ -d /run/systemd/system ] && echo "@booted=yes" || echo "@booted=no"',
      'printf "@pid1=%s\\n" "$(cat /proc/1/comm 2>/dev/null)"',
    ];
    if (name !== undefined) {
      const q = shellQuote(name);
      lines.push(
        'echo "@show"', `systemctl show ${q} 2>/dev/null`, 'echo "@show_rc=$?"',
        'echo "@is_enabled"', `systemctl is-enabled ${q} -l 2>/dev/null`, 'echo "@is_enabled_rc=$?"',
        `[ -f /etc/init.d/${q} ] && echo "@initd=yes"`,
        `ls /etc/rc?.d/S??${q} >/dev/null 2>&1 && echo "@initd_enabled=yes"`,
        '[ "${SYSTEMD_OFFLINE:-}" = 1 ] && echo "@offline=yes"',
        'r=$(stat -c %d:%i /proc/1/root/. 2>/dev/null) && [ "$r" != "$(stat -c %d:%i /)" ] && echo "@offline=yes"',
        'true',
      );
    }
    return lines.join('\n');
  },
  parse(stdout) {
    const marks = new Map<string, string>();
    const sections: Record<string, string[]> = { show: [], is_enabled: [] };
    let section: string | undefined;
    for (const line of stdout.split('\n')) {
      const mark = /^@([a-z_0-9]+)(?:=(.*))?$/.exec(line);
      if (mark && (mark[2] !== undefined || mark[1] in sections)) {
        if (mark[2] !== undefined) marks.set(mark[1], mark[2]);
        section = mark[2] === undefined ? mark[1] : undefined;
        continue;
      }
      if (section) sections[section].push(line);
    }
    return {
      booted: marks.get('booted') === 'yes',
      pid1: marks.get('pid1') ?? '',
      show: parseSystemctlShow(sections.show.join('\n')),
      showExit: Number(marks.get('show_rc') ?? -1),
      isEnabled: sections.is_enabled.join('\n').trim(),
      isEnabledExit: Number(marks.get('is_enabled_rc') ?? -1),
      initScript: marks.get('initd') === 'yes',
      initScriptEnabled: marks.get('initd_enabled') === 'yes',
      ...(marks.get('offline') === 'yes' ? { offline: true } : {}),
    };
  },
};
