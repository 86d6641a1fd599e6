import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runPlaybook } from '../../../src/executor/runner.js';
import type { ExecutorOptions } from '../../../src/executor/types.js';
import { HumanReporter } from '../../../src/report/human.js';
import { JsonReporter } from '../../../src/report/json.js';
import { unifiedDiff } from '../../../src/report/diff.js';
import { recapRows } from '../../../src/report/recap.js';
import { multiReporter } from '../../../src/report/reporter.js';
import { SecretString } from '../../../src/vars/secret.js';
import type { Playbook } from '../../../src/model.js';
import { FakeConnector, handler, inventory, makeTemplater, play, playbook, registry, task } from '../executor/fakes.js';

class Sink {
  text = '';
  isTTY = false;
  write(s: string) {
    this.text += s;
    return true;
  }
}

async function report(pb: Playbook, opts: Partial<ExecutorOptions> = {}, human: { verbosity?: number; diff?: boolean; tty?: boolean } = {}) {
  const out = new Sink();
  const jsonOut = new Sink();
  const h = new HumanReporter({ out, width: 40, ...human });
  const j = new JsonReporter(jsonOut);
  const r = multiReporter(h, j);
  const connector = new FakeConnector();
  const summary = await runPlaybook(pb, {
    inventory: inventory(['web1', 'web2']),
    registry: registry(),
    connector,
    templater: makeTemplater(),
    onEvent: (e) => r.handle(e),
    ...opts,
  });
  r.close();
  return { text: out.text, json: JSON.parse(jsonOut.text), summary };
}

describe('human reporter', () => {
  it('prints banners, a line per host per task and the recap (golden)', async () => {
    const { text } = await report(
      playbook(
        play(
          [
            task('file_put', { path: '/etc/motd', content: 'hi\n' }, { name: 'motd', notify: ['restart'] }),
            task('echo', { msg: 'x' }, { name: 'only web2', when: ["inventory_hostname == 'web2'"] }),
            task('boom', { when_host: 'web2' }, { name: 'fragile', pos: { file: 'site.yml', line: 7, col: 5 } }),
          ],
          { name: 'web', handlers: [handler('restart', 'echo', { msg: 'restarted' })] },
        ),
      ),
    );
    expect(text).toBe(
      [
        '',
        'PLAY [web] *****************************',
        '',
        'TASK [motd] ****************************',
        'changed: [web1]',
        'changed: [web2]',
        '',
        'TASK [only web2] ***********************',
        "skipping: [web1]: conditional result was false: inventory_hostname == 'web2'",
        'ok: [web2]',
        '',
        'TASK [fragile] *************************',
        'ok: [web1]',
        'failed: [web2]: task "fragile" (site.yml:7) on web2: exploded on web2',
        '',
        'RUNNING HANDLER [restart] **************',
        'ok: [web1]',
        '',
        'PLAY RECAP *****************************',
        'web1 : ok=3    changed=1    unreachable=0    failed=0    skipped=1    rescued=0    ignored=0',
        'web2 : ok=2    changed=1    unreachable=0    failed=1    skipped=0    rescued=0    ignored=0',
        '',
      ].join('\n'),
    );
  });

  it('shows unified diffs with --diff and masks secrets inside them', async () => {
    const inv = inventory(['web1']);
    inv.hosts.get('web1')!.vars.pw = new SecretString('topsecret-pw');
    const { text } = await report(
      playbook(play([task('file_put', { path: '/etc/app.conf', content: 'user=app\npassword={{ pw }}\n' })])),
      { inventory: inv, diff: true },
      { diff: true },
    );
    expect(text).toContain('--- /etc/app.conf\n+++ /etc/app.conf\n@@ -0,0 +1,2 @@\n+user=app\n+password=********');
    expect(text).not.toContain('topsecret-pw');
  });

  it('--diff shows nothing for a pair without differences (a module returning its diff on an unchanged run)', async () => {
    const reg = registry();
    reg.register({
      name: 'pairs',
      description: 'returns one unchanged and one changed pair',
      args: z.strictObject({}),
      checkMode: 'full',
      async run() {
        return { changed: true, diff: [{ before: 'same\n', after: 'same\n', beforeHeader: 'kept' }, { before: '', after: 'new\n', beforeHeader: 'added', afterHeader: 'added' }] };
      },
    });
    const { text } = await report(playbook(play([task('pairs', {})])), { inventory: inventory(['web1']), registry: reg, diff: true }, { diff: true });
    expect(text).toContain('--- added\n+++ added\n@@ -0,0 +1,1 @@\n+new');
    expect(text).not.toContain('kept');
  });

  it('-v shows module messages and stdout; no_log hides them', async () => {
    const { text } = await report(
      playbook(play([task('cmd', 'echo hello', { name: 'say' }), task('cmd', 'echo private', { name: 'quiet', noLog: true })])),
      { inventory: inventory(['web1']) },
      { verbosity: 1 },
    );
    expect(text).toContain('ran sh -c echo hello');
    expect(text).not.toContain('private');
    expect(text).toContain('output hidden: no_log');
  });

  it('prints loop items', async () => {
    const { text } = await report(playbook(play([task('echo', { msg: '{{ item }}' }, { name: 'each', loop: ['a', 'b'] })])), {
      inventory: inventory(['web1']),
    });
    expect(text).toContain('ok: [web1] => (item=a)\nok: [web1] => (item=b)');
  });

  it('prints task names with {{ }} rendered in the TASK banner and the JSON report', async () => {
    const { text, json } = await report(
      playbook(
        play(
          [
            task('echo', { msg: 'x' }, { name: 'configure {{ service }} on port {{ port }}' }),
            task('echo', { msg: '{{ item }}' }, { name: 'install {{ item }}', loop: ['a'] }),
          ],
          { vars: { service: 'nginx' }, varsFiles: [{ file: 'vars/main.yml', vars: { port: 80 } }] },
        ),
      ),
      { inventory: inventory(['web1']) },
    );
    expect(text).toContain('TASK [configure nginx on port 80] *');
    expect(text).toContain('TASK [install {{ item }}] *');
    expect(json.plays[0].tasks.map((t: { name: string }) => t.name)).toEqual(['configure nginx on port 80', 'install {{ item }}']);
  });

  it('draws live progress on a TTY and clears it before the next line', async () => {
    const out = new Sink();
    const h = new HumanReporter({ out, tty: true, width: 40 });
    const task = { name: 'compile', module: 'cmd', kind: 'task' as const };
    h.handle({ type: 'task-start', task, hosts: ['web1'] });
    h.handle({ type: 'progress', task, host: 'web1', message: 'CC src/core/nginx.o\n' });
    h.handle({ type: 'host-result', task, host: 'web1', status: 'changed', result: { changed: true }, durationMs: 12_500 });
    h.close();
    expect(out.text).toContain('[web1] CC src/core/nginx.o');
    // The status line is erased before the result line is written.
    expect(out.text.indexOf('\r\x1b[2K')).toBeGreaterThan(out.text.indexOf('nginx.o'));
    expect(out.text).toMatch(/changed.*\[web1\].*12\.5s/);
  });

  it('uses no colour codes off a TTY', async () => {
    const { text } = await report(playbook(play([task('echo', { msg: 'x' })])), { inventory: inventory(['web1']) });
    expect(text).not.toMatch(/\x1b\[/);
  });
});

describe('json reporter', () => {
  it('writes one document with plays, tasks, host results, stats and exit code', async () => {
    const { json } = await report(
      playbook(play([task('file_put', { path: '/f' }, { name: 'put' }), task('boom', { when_host: 'web1' }, { name: 'boom' })])),
      { diff: true },
    );
    expect(json.plays).toHaveLength(1);
    expect(json.plays[0].tasks.map((t: { name: string }) => t.name)).toEqual(['put', 'boom']);
    expect(json.plays[0].tasks[0].hosts.web1.status).toBe('changed');
    expect(json.plays[0].tasks[1].hosts.web1.status).toBe('failed');
    expect(json.stats.web2).toMatchObject({ ok: 2, changed: 1, failed: 0 });
    expect(json.failedHosts).toEqual(['web1']);
    expect(json.exitCode).toBe(2);
  });

  it('never contains secrets', async () => {
    const { json } = await report(playbook(play([task('secret_echo', { value: 'very-secret-value' })])), { diff: true });
    expect(JSON.stringify(json)).not.toContain('very-secret-value');
  });
});

describe('helpers', () => {
  it('unifiedDiff', () => {
    expect(unifiedDiff({ before: 'a\nb\n', after: 'a\nc\n', beforeHeader: 'x', afterHeader: 'x' })).toBe(
      '--- x\n+++ x\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n',
    );
  });
  it.each([
    ['>> Newly checked out 3f2a', '>> Newly checked out 3f2a\n'],
    ['diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n', 'diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n'],
  ])('a prepared diff is shown as the module wrote it: %j', (prepared, shown) => {
    expect(unifiedDiff({ before: '', after: '', prepared })).toBe(shown);
  });
  it('recap rows align host names', () => {
    const s = { ok: 1, changed: 0, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 };
    const rows = recapRows({ longhostname: s, a: s });
    expect(rows.map((r) => r.text.indexOf(':'))).toEqual([13, 13]);
  });
});
