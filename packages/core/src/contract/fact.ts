/**
 * A fact (pyinfra's split): a command that reads state from a host, and a pure parser of its output.
 * Parsers are tested with table-driven fixtures; nothing but `command` touches the host.
 */
export interface Fact<Args, Value> {
  readonly name: string;
  /** The shell script that reads the state. Values must go through shellQuote. */
  command(args: Args): string;
  /** Turn the command's output into data. `code` is the command's exit code. */
  parse(stdout: string, code: number, args: Args): Value;
}
