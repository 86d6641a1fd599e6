/** known_hosts' diff: the display pair, and the dict Ansible registers. */
import { describe, expect, it } from 'vitest';
import { knownHostsDiff } from '../../src/modules/known_hosts.js';

describe('knownHostsDiff', () => {
  it.each([
    ['an existing file', 'a ssh-rsa X\n', '/k', '/k'],
    ['a missing file', undefined, '/dev/null', '/k'],
  ])('%s', (_what, content, beforeHeader, afterHeader) => {
    const { diff, ansibleDiff } = knownHostsDiff('/k', content, 'a ssh-rsa X\nb ssh-rsa Y\n');
    expect(diff).toEqual({ before: content ?? '', after: 'a ssh-rsa X\nb ssh-rsa Y\n', beforeHeader, afterHeader });
    expect(ansibleDiff).toEqual({ before_header: beforeHeader, after_header: afterHeader, before: content ?? '', after: 'a ssh-rsa X\nb ssh-rsa Y\n' });
  });
});
