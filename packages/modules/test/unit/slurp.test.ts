/** slurp's failure messages, by what opening the file on the host said (Ansible's words, by errno). */
import { describe, expect, it } from 'vitest';
import { slurpError } from '../../src/modules/slurp.js';

describe('slurpError', () => {
  it.each([
    ['ok\n', undefined],
    ['dir\n', 'source is a directory and must be a file: /p'],
    ["err dd: failed to open '/p': No such file or directory\n", 'file not found: /p'],
    ["err dd: failed to open '/p': Permission denied\n", 'file is not readable: /p'],
    ["err dd: failed to open '/p': Not a directory\n", "unable to slurp file: [Errno 20] Not a directory: '/p'"],
    ["err dd: failed to open '/p': Input/output error\n", "unable to slurp file: dd: failed to open '/p': Input/output error"],
  ])('%j -> %s', (probe, msg) => expect(slurpError(probe, '/p')).toBe(msg));
});
