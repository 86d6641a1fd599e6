/**
 * The drill's split-brain rule (packages/drill/src/vip-watch.ts: the VIP may be on both nodes only
 * for a bounded handover inside a drill step that moves it; every drill run checks it and reports
 * `vipWatch` in its JSON), with a sampler of the lab hosts' network namespaces (read only:
 * `ip -n NS addr`) for callers that watch from outside the drill (test/e2e, the matrix).
 */
import { spawn } from 'node:child_process';
import { handoverBoundMs, judgeDualWindows as judge, VIP_MOVING_STEPS, watchVip as watch } from '@haweb/drill';

export { VIP_MOVING_STEPS };
/** The bound at the playbook's advert_int 1 and the master's priority 100. */
export const HANDOVER_BOUND_MS = handoverBoundMs(1000, 100);

/** Hosts (by name) whose interface holds the VIP. */
export async function vipHolders(lab) {
  const script = lab.hosts.map((h) => `echo "@@${h.name}"; ip -n ${h.netns} -4 -o addr show dev ${lab.interface}`).join('; ');
  const out = await new Promise((done) => {
    const child = spawn('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (text += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('close', () => {
      clearTimeout(timer);
      done(text);
    });
  });
  const holders = [];
  let current = '';
  for (const line of out.split('\n')) {
    if (line.startsWith('@@')) current = line.slice(2);
    else if (line.includes(` ${lab.vip}/`)) holders.push(current);
  }
  return holders;
}

/** Samples the lab until stopped (bounded in count); stop() gives the sample count and the two-holder intervals. */
export function watchVip(lab, { periodMs = 200, maxSamples = 20_000 } = {}) {
  return watch(() => vipHolders(lab), { periodMs, maxSamples });
}

/** Each two-holder interval with its drill step and length, and whether it breaks the rule. */
export function judgeDualWindows(dual, steps) {
  return judge(dual, steps, HANDOVER_BOUND_MS);
}
