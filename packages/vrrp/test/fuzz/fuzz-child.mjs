/**
 * The fuzzer's child: reads each configuration it is sent with `vrrpd -t`'s own function and answers
 * with the verdict, the time taken and its RSS. An exception is answered as `throw` (a finding); a
 * hang or a heap overflow is seen by the parent (no answer, or the child's exit).
 */
import { configTest } from '../../dist/daemon/config-test.js';

process.on('message', ({ file }) => {
  const started = performance.now();
  try {
    const report = configTest([file]);
    const ms = performance.now() - started;
    process.send({ kind: 'done', errors: report.errors, ms, rssMb: Math.round(process.memoryUsage().rss / 1048576) });
  } catch (error) {
    process.send({ kind: 'throw', detail: String(error?.stack ?? error).split('\n').slice(0, 4).join(' | ') });
  }
});
