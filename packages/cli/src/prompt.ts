/**
 * Questions on the terminal for vars_prompt: with echo (a plain line) or without (a password, through
 * the same echo-off reader as --ask-become-pass). Absent when standard input is not a terminal.
 */
import { createInterface } from 'node:readline';
import { terminalPrompt } from './vault/passwords.js';

export type TerminalAsk = (question: string, echo: boolean) => Promise<string>;

export function terminalAsk(stdin: NodeJS.ReadStream = process.stdin, out: NodeJS.WriteStream = process.stderr): TerminalAsk | undefined {
  const secret = terminalPrompt(stdin, out);
  if (!secret) return undefined;
  return (question, echo) => {
    if (!echo) return secret(question);
    return new Promise((resolveAnswer) => {
      const rl = createInterface({ input: stdin, output: out, terminal: true });
      rl.question(question, (answer) => {
        rl.close();
        stdin.pause();
        resolveAnswer(answer);
      });
    });
  };
}
