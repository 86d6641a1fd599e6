/**
 * Ansible 2.14 marks some text as NativeJinjaText (a str subclass): the output of its string-type filters
 * (to_json, string...) and of lookup('template', ..., convert_data=False). Such text is never read back
 * as data (a `{...}` stays text), also when a variable holding it is used later as `{{ name }}`, because
 * Ansible templates variables lazily and the object keeps its class. The executor resolves variables
 * eagerly into plain strings, so it keeps the class beside them: a map under this symbol, from variable
 * name to the text and its Python class; the mark counts only while the variable still holds that text.
 */
export const NATIVE_TEXT = Symbol.for('haweb.nativeText');

export type NativeTextMarks = Map<string, { value: string; cls: string }>;

/** The NativeJinjaText class `name` was made with, if it still holds that text; else undefined. */
export function nativeClassOf(vars: object | undefined, name: string, value: unknown): string | undefined {
  const marks = (vars as { [NATIVE_TEXT]?: NativeTextMarks } | undefined)?.[NATIVE_TEXT];
  const mark = marks?.get(name);
  return mark && mark.value === value ? mark.cls : undefined;
}

/** Records (or, with cls undefined, forgets) the class of a variable's text on a variables object. */
export function markNativeText(vars: Record<string, unknown>, name: string, value: unknown, cls: string | undefined): void {
  const holder = vars as { [NATIVE_TEXT]?: NativeTextMarks };
  if (cls === undefined || typeof value !== 'string') {
    holder[NATIVE_TEXT]?.delete(name);
    return;
  }
  // a fresh map per variables object: a copy made by spreading must not see later marks of the original
  const marks: NativeTextMarks = new Map(Object.prototype.hasOwnProperty.call(vars, NATIVE_TEXT) ? holder[NATIVE_TEXT] : undefined);
  marks.set(name, { value, cls });
  holder[NATIVE_TEXT] = marks;
}
