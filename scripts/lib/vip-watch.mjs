/**
 * Which lab hosts hold the VIP, sampled from their network namespaces (read only: `ip -n NS addr`),
 * and the judgement of the drill's split-brain rule: the VIP may be on both nodes only for a bounded
 * handover inside a drill step that moves it.
 */
import { spawn } from 'node:child_process';

/**
 * A stopping master keeps the VIP until the backup's advert, or at most Skew_Time ((256 - 100) / 256 s)
 * plus one advert interval (1 s); a sample sees it up to one period (plus `ip` under load) late.
 */
export const HANDOVER_BOUND_MS = 610 + 1000 + 1000;
/** Drill steps in which the VIP moves between the nodes (nginx down, engine stop/start, crash reboot, graceful reboot). */
export const VIP_MOVING_STEPS = [3, 4, 5, 6, 8];

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

/** Samples until stopped (bounded in count); stop() gives the sample count and the two-holder intervals. */
export function watchVip(lab, { periodMs = 200, maxSamples = 20_000 } = {}) {
  let stopped = false;
  const dual = [];
  let samples = 0;
  const loop = (async () => {
    let openFrom;
    while (!stopped && samples < maxSamples) {
      const t = Date.now();
      const holders = await vipHolders(lab);
      samples++;
      if (holders.length > 1 && openFrom === undefined) openFrom = t;
      if (holders.length <= 1 && openFrom !== undefined) {
        dual.push({ from: openFrom, to: t });
        openFrom = undefined;
      }
      await new Promise((r) => setTimeout(r, periodMs));
    }
    if (openFrom !== undefined) dual.push({ from: openFrom, to: Date.now() });
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return { samples, dual };
    },
  };
}

/** Each two-holder interval with its drill step and length, and whether it breaks the rule. */
export function judgeDualWindows(dual, steps) {
  return dual.map((d) => {
    const step = steps.find((s) => d.from >= s.startedAt && d.from <= s.endedAt)?.step;
    const ms = d.to - d.from;
    return { step, ms, ok: VIP_MOVING_STEPS.includes(step) && ms <= HANDOVER_BOUND_MS };
  });
}
