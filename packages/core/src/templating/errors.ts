/** A template could not be rendered or an expression evaluated. The executor adds host, task and file:line. */
export class TemplateError extends Error {
  constructor(
    /** The template or expression as written. */
    readonly expression: string,
    /** Why, in Jinja2/Ansible words: "'foo' is undefined", "no filter named 'to_jsn'". */
    readonly reason: string,
    /** True when the cause is an undefined variable or attribute. */
    readonly undefinedVariable = false,
  ) {
    super(`${reason} (in ${JSON.stringify(expression)})`);
    this.name = 'TemplateError';
  }
}

/** Raised inside a render when an undefined value is used; turned into a TemplateError by the engine. */
export class UndefinedUseError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'UndefinedError';
  }
}

/** A filter or test was used with bad input (Jinja2 raises these as FilterArgumentError/TypeError). */
export class FilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterError';
  }
}
