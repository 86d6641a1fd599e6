/**
 * `vars_prompt`, as ansible-playbook 2.14 asks (executor/playbook_executor.py, utils/display.py's
 * do_var_prompt), when a play starts, before its hosts are matched:
 *   - a name given with -e is not asked;
 *   - the question is `<prompt> [<default>]: ` (`<prompt>: ` without a default), prompt and default
 *     rendered with the play's variables;
 *   - private (the default) reads with echo off; confirm asks twice until both answers match, saying
 *     "***** VALUES ENTERED DO NOT MATCH ****" between;
 *   - an empty answer takes the default; the answer is text (the default too: Python's str());
 *   - without a terminal, Ansible warns "Not prompting as we are not in interactive mode" and uses the
 *     default. Where there is no default, Ansible sets the text 'None'; this provisioner stops with an
 *     error naming the entry instead (a play must not run with a made-up value).
 * An answer typed at a private prompt is a secret: masked in all output (Ansible does not mask it).
 */
import type { SourcePos, Vars, VarsPrompt } from '../model.js';
import { ValidationError } from '../model.js';

/** Asks on the terminal; `echo` false reads with echo off. Absent when there is no terminal. */
export type TerminalAsk = (question: string, echo: boolean) => Promise<string>;

export interface VarsPromptIO {
  ask?: TerminalAsk;
  /** -e variables: a name given there is not asked. */
  extraVars: Vars;
  /** Renders a prompt or a default with the play's variables. */
  render: (value: unknown) => unknown;
  warn: (message: string) => void;
  /** A line for the user (the "do not match" notice). */
  say: (message: string) => void;
}

export interface VarsPromptAnswers {
  /** Play variables (templated when used). */
  vars: Vars;
  /** Answers of `unsafe: yes` entries: play variables that are never templated. */
  unsafe: Vars;
  /** Answers of private entries: to be masked. */
  secrets: string[];
}

/** Confirmation rounds before giving up (Ansible asks forever). */
export const MAX_CONFIRM_ROUNDS = 10;

/** A vars_prompt problem: a ValidationError (exit code 2, printed with file:line:col). */
function promptError(message: string, pos: SourcePos): ValidationError {
  return new ValidationError([{ severity: 'error', message, pos }]);
}

/**
 * Without a terminal: the entries that would have to be asked (no -e value, no default), each an
 * error, so a run stops before any host is touched.
 */
export function unanswerablePrompts(entries: readonly VarsPrompt[], extraVars: Vars): ValidationError | undefined {
  const missing = entries.filter((e) => !Object.hasOwn(extraVars, e.name) && (e.default === undefined || e.default === null));
  if (missing.length === 0) return undefined;
  return new ValidationError(missing.map((e) => ({ severity: 'error' as const, message: noTerminalMessage(e.name), pos: e.pos })));
}

function noTerminalMessage(name: string): string {
  return `vars_prompt '${name}' needs an answer, and there is no terminal to ask on and no default: run from a terminal, give it with -e ${name}=..., or write a default`;
}

/** Python's str() of a YAML value, as `%s` shows a default and to_text() turns it into the answer. */
export function pythonText(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

/** The question Ansible prints for an entry (prompt and default already rendered). */
export function promptQuestion(name: string, prompt: string, defaultValue: unknown): string {
  if (prompt && defaultValue !== undefined && defaultValue !== null) return `${prompt} [${pythonText(defaultValue)}]: `;
  if (prompt) return `${prompt}: `;
  return `input for ${name}: `;
}

export async function askVarsPrompt(entries: readonly VarsPrompt[], io: VarsPromptIO): Promise<VarsPromptAnswers> {
  const out: VarsPromptAnswers = { vars: {}, unsafe: {}, secrets: [] };
  let warned = false;
  for (const entry of entries) {
    if (Object.hasOwn(io.extraVars, entry.name)) continue;
    let prompt: string;
    let def: unknown;
    try {
      prompt = pythonText(io.render(entry.prompt));
      def = entry.default === undefined ? undefined : io.render(entry.default);
    } catch (err) {
      throw promptError(`vars_prompt '${entry.name}': ${(err as Error).message}`, entry.pos);
    }
    const hasDefault = def !== undefined && def !== null;
    let answer = '';
    if (io.ask) {
      const question = promptQuestion(entry.name, prompt, def);
      if (entry.confirm) {
        let rounds = 0;
        for (;;) {
          answer = await io.ask(question, !entry.private);
          const again = await io.ask(`confirm ${question}`, !entry.private);
          if (answer === again) break;
          io.say('***** VALUES ENTERED DO NOT MATCH ****');
          if (++rounds >= MAX_CONFIRM_ROUNDS) throw promptError(`vars_prompt '${entry.name}': the values entered did not match ${MAX_CONFIRM_ROUNDS} times`, entry.pos);
        }
      } else answer = await io.ask(question, !entry.private);
    } else {
      if (!warned) io.warn('Not prompting as we are not in interactive mode');
      warned = true;
      if (!hasDefault) {
        throw promptError(noTerminalMessage(entry.name), entry.pos);
      }
    }
    const value = answer === '' && hasDefault ? pythonText(def) : answer;
    if (entry.unsafe) out.unsafe[entry.name] = value;
    else out.vars[entry.name] = value;
    // What was typed at a private prompt is a secret; a default written in the playbook is not.
    if (entry.private && answer !== '') out.secrets.push(answer);
  }
  return out;
}
