import { z } from 'zod';
import { defineHostModule } from '../util/define.js';
import { boolish } from '../util/schema.js';

/** Ansible's `int` callable: a number (floats truncated) or a string of digits. */
const whole = z.union([z.number(), z.string().regex(/^\s*-?\d+\s*$/, 'a whole number')]).transform((v) => Math.trunc(Number(v)));

/** Python's str() of a float rounded to 2 places, as Ansible prints the pause ("1.0", "0.02"). */
export function pythonFloat(x: number): string {
  const r = Math.round(x * 100) / 100;
  return Number.isInteger(r) ? `${r}.0` : String(r);
}

/** Python's str(datetime.now()): local time, microseconds. */
function pythonNow(d = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}000`;
}

/**
 * Return values (Ansible's pause): start, stop, delta (whole seconds), stdout ("Paused for 1.0
 * seconds"), user_input (always empty: nothing is read), echo, rc, stderr.
 *
 * Examples:
 *   pause: { seconds: 10 }
 *   pause: minutes=1
 */
export const pauseModule = defineHostModule({
  name: 'pause',
  aliases: ['ansible.builtin.pause'],
  description: 'Wait a number of seconds or minutes on the controller. A prompt waiting for a keypress is refused: provision reads no terminal.',
  runsOn: 'controller',
  args: z
    .strictObject({ seconds: whole.optional(), minutes: whole.optional(), prompt: z.string().optional(), echo: boolish.optional() })
    .refine((a) => a.seconds === undefined || a.minutes === undefined, { message: 'parameters are mutually exclusive: minutes|seconds' }),
  checkMode: 'full',
  async run(a) {
    if (a.seconds === undefined && a.minutes === undefined) {
      return {
        changed: false,
        failed: true,
        msg: `pause${a.prompt !== undefined ? ` with prompt ${JSON.stringify(a.prompt)}` : ''} and no seconds or minutes waits for a keypress, and provision does not read a terminal: give seconds or minutes, or use wait_for / assert to wait for a condition`,
      };
    }
    const unit = a.minutes !== undefined ? 'minutes' : 'seconds';
    // Ansible waits at least a second (its alarm's granularity).
    const seconds = Math.max(1, a.minutes !== undefined ? a.minutes * 60 : a.seconds!);
    const start = Date.now();
    const startText = pythonNow();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const duration = (Date.now() - start) / 1000;
    return {
      changed: false,
      rc: 0,
      stderr: '',
      stdout: `Paused for ${pythonFloat(unit === 'minutes' ? duration / 60 : duration)} ${unit}`,
      start: startText,
      stop: pythonNow(),
      delta: Math.floor(duration),
      echo: a.echo ?? true,
      user_input: '',
    };
  },
});
