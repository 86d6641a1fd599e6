/**
 * What to do with a download that arrived in a temporary file next to its destination (get_url):
 * pure functions from the download's outcome and the destination's facts to the kit's steps.
 */
import { shellQuote } from '@haweb/core';
import type { Step } from '../apply.js';
import type { FileInfo } from '../facts/files.js';
import type { DownloadOutcome } from '../facts/download.js';
import { attributeCommandsForNew, planAttributes, type DesiredAttributes } from './files.js';

export interface InstallDownloadArgs extends DesiredAttributes {
  dest: string;
  backup: boolean;
  /** The backup's name (backupName(dest)), chosen by the caller so the plan stays pure. */
  backupPath: string;
}

export interface InstallDownloadPlan {
  /** The content differs from the destination's (or there is none): the file is replaced. */
  replace: boolean;
  steps: Step[];
  /** Attribute changes alone (content equal). */
  attributeChanges: string[];
}

const run = (argv: string[], why: string): Step => ({ kind: 'run', argv, why });

/**
 * Replace `dest` by the temporary file when their SHA-1 differ, as Ansible's atomic_move does: the new
 * file takes the old one's mode and owner (or the umask's default for a new file), then the task's
 * mode/owner/group; a backup first when asked. Equal content: drop the temporary file and only fix
 * attributes.
 */
export function planInstallDownload(outcome: Pick<DownloadOutcome, 'tmp' | 'sha1'>, dest: FileInfo | undefined, args: InstallDownloadArgs): InstallDownloadPlan {
  const { tmp } = outcome;
  const want = { mode: args.mode, owner: args.owner, group: args.group };
  if (dest && dest.checksum === outcome.sha1) {
    const attrs = planAttributes(args.dest, dest, want);
    return {
      replace: false,
      steps: [run(['rm', '-f', '--', tmp], 'remove the temporary download'), ...attrs.commands.map((c) => run(c.argv, attrs.changes.join(', ')))],
      attributeChanges: attrs.changes,
    };
  }
  const inherit: Step = dest
    ? { kind: 'script', script: `chmod --reference=${shellQuote(args.dest)} ${shellQuote(tmp)} && chown --reference=${shellQuote(args.dest)} ${shellQuote(tmp)}`, why: `keep the mode and owner of ${args.dest}` }
    : { kind: 'script', script: `chmod "$(printf '%o' $((0666 & ~0$(umask))))" ${shellQuote(tmp)}`, why: 'give the new file the umask\'s mode' };
  return {
    replace: true,
    steps: [
      inherit,
      ...attributeCommandsForNew(tmp, want).map((c) => run(c.argv, `set ${args.dest}'s attributes`)),
      ...(args.backup && dest ? [run(['cp', '-p', '--', args.dest, args.backupPath], `back up ${args.dest}`)] : []),
      run(['mv', '-f', '--', tmp, args.dest], `install ${args.dest}`),
    ],
    attributeChanges: [],
  };
}
