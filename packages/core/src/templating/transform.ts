/**
 * Rewrites a parsed nunjucks template so it behaves like Jinja2 as Ansible uses it:
 *  - attribute/index access goes through `__getattr` (missing keys become a named Undefined, Python
 *    methods like `.items()`/`.split()` work);
 *  - truth tests (`if`, `not`, `and`, `or`, inline if) use Python truthiness (`[]` and `{}` are false)
 *    and fail on undefined values;
 *  - `==`, `!=`, `<`... compare like Python (lists and dicts by value);
 *  - printed expressions go through `__finalize` (None prints as '', True as 'True', lists as repr);
 *  - `{% for key in dict %}` iterates the dict's keys, as in Jinja2;
 *  - `{% set ns.attr = value %}` assigns into a `namespace()` (Jinja2's way out of loop scoping);
 *  - tests may be named `ansible.builtin.x`;
 *  - Jinja2's loop filter `{% for x in items if cond %}` (see rewriteLoopFilters).
 * It also lists the root names the template reads, so missing ones can be given a named Undefined.
 */
import { nunjucks, type NjNode } from './nunjucks-internals.js';

const N = nunjucks.nodes;

function call(name: string, like: NjNode, args: NjNode[]): NjNode {
  return new N.FunCall(like.lineno, like.colno, new N.Symbol(like.lineno, like.colno, name), new N.NodeList(like.lineno, like.colno, args));
}

export interface TransformResult {
  /** Root variable names the template reads. */
  names: Set<string>;
  /** The template is one `{{ expression }}` and nothing else: its value is returned natively. */
  native: boolean;
  /**
   * The Python class of NativeJinjaText that expression gives, '' when none: Ansible never reads such
   * text back as data. NativeJinjaText for a filter of STRING_TYPE_FILTERS (to_json, string...) at its
   * end, NativeJinjaUnsafeText for lookup('template', ..., convert_data=False) (a lookup's result is unsafe).
   */
  nativeText: string;
  /** That expression is a bare variable name: its value may carry such a class from where it was made. */
  singleName?: string;
  /**
   * That expression holds lookup('template', ..., convert_data=False) inside it: whether Ansible reads
   * its result back as data depends on Python types the engine does not see (the engine refuses when the
   * result looks like data).
   */
  nativeTextInside: boolean;
  /** Filter and test names used. */
  filters: Set<string>;
  tests: Set<string>;
}

/** Ansible's STRING_TYPE_FILTERS: their output stays text in a module argument. */
const STRING_TYPE_FILTERS = new Set(['string', 'to_json', 'to_nice_json', 'to_yaml', 'to_nice_yaml', 'ppretty', 'json']);

export function transformTemplate(root: NjNode, captureNative: boolean): TransformResult {
  rewriteIncludes(root);
  rewriteLoopFilters(root);
  rewriteAttributeSets(root);
  const names = new Set<string>();
  collectNames(root, names);
  const filters = new Set<string>();
  const tests = new Set<string>();
  collectFiltersAndTests(root, filters, tests);
  const single = singleExpression(root);
  const { whole: unconverted, inside: nativeTextInside } = unconvertedTemplateLookups(root, single);
  nameTypeDebug(root);
  if (captureNative && !single) noteRootOutputs(root);
  rewrite(root);
  if (captureNative && single) {
    // After rewrite the single child is __finalize(expr): capture expr itself, unprinted.
    const output = root.children[0] as NjNode;
    const expr = (output.children[0] as NjNode).args.children[0] as NjNode;
    output.children[0] = call('__capture', expr, [expr]);
  }
  const last = single?.typename === 'Filter' && single.name?.typename === 'Symbol' ? String(single.name.value).replace(/^ansible\.builtin\./, '') : '';
  const nativeText = STRING_TYPE_FILTERS.has(last) ? 'NativeJinjaText' : unconverted ? 'NativeJinjaUnsafeText' : '';
  const singleName = single?.typename === 'Symbol' ? String(single.value) : undefined;
  return { names, native: single !== undefined, nativeText, singleName, nativeTextInside, filters, tests };
}

/** The markers type_debug's hidden second argument starts with: the variable piped into it, or the class its input has. */
export const TYPE_DEBUG_NAME = '\u0000type_debug_of:';
export const TYPE_DEBUG_CLASS = '\u0000type_debug_class:';

function filterName(node: NjNode | undefined): string | undefined {
  if (!node || (node.typename !== 'Filter' && node.typename !== 'FilterAsync') || node.name?.typename !== 'Symbol') return undefined;
  return String(node.name.value).replace(/^ansible\.builtin\./, '');
}

/**
 * `x | type_debug`: the filter also gets what only the template's text tells about the class of its
 * input, which a JavaScript string does not carry: the variable's name (its text may have been made as
 * NativeJinjaText, native-text.ts), or the class itself when the input is a string-type filter's output
 * (NativeJinjaText) or lookup('template', ..., convert_data=False) (NativeJinjaUnsafeText).
 */
function nameTypeDebug(node: unknown): void {
  if (!isNode(node)) return;
  if (filterName(node) === 'type_debug') {
    const args = node.args?.children as NjNode[] | undefined;
    const input = args?.[0];
    if (args && args.length === 1 && input) {
      const lookupNoConvert = input.typename === 'FunCall' && input.name?.typename === 'Symbol' && input.name.value === 'lookup' && isUnconvertedTemplateLookup(input);
      const marker = input.typename === 'Symbol' ? TYPE_DEBUG_NAME + String(input.value)
        : STRING_TYPE_FILTERS.has(filterName(input) ?? '') ? `${TYPE_DEBUG_CLASS}NativeJinjaText`
        : lookupNoConvert ? `${TYPE_DEBUG_CLASS}NativeJinjaUnsafeText` : undefined;
      if (marker) args.push(new N.Literal(node.lineno, node.colno, marker));
    }
  }
  for (const field of fieldsOf(node)) {
    const v = node[field];
    if (Array.isArray(v)) v.forEach(nameTypeDebug);
    else nameTypeDebug(v);
  }
}

/** Python's False as a template writes it: `False`/`false` (nunjucks reads `False` as a name). */
function literalBool(n: NjNode | undefined): boolean | undefined {
  if (n?.typename === 'Literal' && typeof n.value === 'boolean') return n.value;
  if (n?.typename === 'Symbol' && (n.value === 'False' || n.value === 'True')) return n.value === 'True';
  return undefined;
}

/** What the template's text tells about the NativeJinjaText class of an expression's value (see nameTypeDebug's markers), '' when nothing. */
function nativeInfo(expr: NjNode): string {
  if (expr.typename === 'Symbol') return TYPE_DEBUG_NAME + String(expr.value);
  if (STRING_TYPE_FILTERS.has(filterName(expr) ?? '')) return 'NativeJinjaText';
  if (expr.typename === 'FunCall' && expr.name?.typename === 'Symbol' && expr.name.value === 'lookup' && isUnconvertedTemplateLookup(expr)) return 'NativeJinjaUnsafeText';
  return '';
}

/**
 * A template of several parts (`{% set y = d | to_json %}{{ y }}`) may still print one value only; Jinja2
 * then hands that value itself to Ansible, which keeps NativeJinjaText as text. Each expression printed
 * at the template's own level (not in a macro, call block or captured `{% set %}` / `{% filter %}` body)
 * goes through `__note`, which counts what was printed and keeps the last value and what the text tells
 * about its class, for the engine to decide after rendering; `{% set name = expr %}` there goes through
 * `__note_set`, which keeps the class of the text it assigns.
 */
function noteRootOutputs(node: unknown): void {
  if (!isNode(node) || ['Macro', 'Caller', 'Capture', 'CallExtension', 'CallExtensionAsync'].includes(node.typename)) return;
  if (node.typename === 'Set' && node.value && !node.body && node.targets?.length === 1 && node.targets[0].typename === 'Symbol') {
    const value = node.value as NjNode;
    node.value = call('__note_set', value, [new N.Literal(value.lineno, value.colno, String(node.targets[0].value)), value, new N.Literal(value.lineno, value.colno, nativeInfo(value))]);
  }
  if (node.typename === 'Output') {
    node.children = (node.children as NjNode[]).map((c) => (c.typename === 'TemplateData' ? c : call('__note', c, [c, new N.Literal(c.lineno, c.colno, nativeInfo(c))])));
    return;
  }
  for (const field of fieldsOf(node)) {
    const v = node[field];
    if (Array.isArray(v)) v.forEach(noteRootOutputs);
    else noteRootOutputs(v);
  }
}

/** lookup('template', ..., convert_data=False), written with a literal False. */
function isUnconvertedTemplateLookup(call: NjNode): boolean {
  const args = (call.args?.children ?? []) as NjNode[];
  const plugin = args[0]?.typename === 'Literal' ? String(args[0].value).replace(/^ansible\.builtin\./, '') : '';
  const kw = args.find((a) => a.typename === 'KeywordArgs');
  const pair = (kw?.children as NjNode[] | undefined)?.find((p) => p.key?.value === 'convert_data');
  return plugin === 'template' && pair !== undefined && literalBool(pair.value as NjNode) === false;
}

/**
 * Ansible's template lookup with `convert_data=False` hands back NativeJinjaText, a str that Ansible
 * never reads back as data. The engine's strings carry no such mark, so it is decided here, from the
 * template's text: `whole` when the whole template is that one lookup call (its text then stays text),
 * `inside` when the lookup is part of a larger single expression, where the outcome depends on the Python
 * type flowing through it (a filter that passes the object on keeps the mark, one that builds a new str
 * drops it): the engine then refuses a result that looks like data. A convert_data computed at run time
 * is refused with its line rather than guessed.
 */
function unconvertedTemplateLookups(root: NjNode, single: NjNode | undefined): { whole: boolean; inside: boolean } {
  let whole = false;
  let inside = false;
  const visit = (node: unknown): void => {
    if (!isNode(node)) return;
    if (node.typename === 'FunCall' && node.name?.typename === 'Symbol' && node.name.value === 'lookup') {
      const args = (node.args?.children ?? []) as NjNode[];
      const plugin = args[0]?.typename === 'Literal' ? String(args[0].value).replace(/^ansible\.builtin\./, '') : '';
      const kw = args.find((a) => a.typename === 'KeywordArgs');
      const pair = (kw?.children as NjNode[] | undefined)?.find((p) => p.key?.value === 'convert_data');
      if (plugin === 'template' && pair) {
        const value = literalBool(pair.value as NjNode);
        if (value === undefined) {
          throw new Error(`(template) [Line ${node.lineno + 1}, Column ${node.colno + 1}] lookup('template', convert_data=...) needs a literal True or False here: the engine decides from the template's text whether the result stays text`);
        }
        if (value === false) {
          if (node === single) whole = true;
          else if (single !== undefined) inside = true;
        }
      }
    }
    for (const field of fieldsOf(node)) {
      const v = node[field];
      if (Array.isArray(v)) v.forEach(visit);
      else visit(v);
    }
  };
  visit(root);
  return { whole, inside };
}

function collectFiltersAndTests(node: unknown, filters: Set<string>, tests: Set<string>): void {
  if (!isNode(node)) return;
  if ((node.typename === 'Filter' || node.typename === 'FilterAsync') && node.name?.typename === 'Symbol') filters.add(node.name.value as string);
  if (node.typename === 'Is') tests.add(testName(node.right as NjNode));
  for (const field of fieldsOf(node)) {
    const v = node[field];
    if (Array.isArray(v)) v.forEach((c) => collectFiltersAndTests(c, filters, tests));
    else collectFiltersAndTests(v, filters, tests);
  }
}

/** A test's name: `defined`, or a dotted one (`ansible.builtin.version`) that nunjucks parses as attribute access; '?' when no name. */
function testName(right: NjNode): string {
  const dotted = (n: NjNode | undefined): string =>
    n?.typename === 'Symbol' ? String(n.value) : n?.typename === 'LookupVal' && n.val?.typename === 'Literal' ? `${dotted(n.target)}.${String(n.val.value)}` : '?';
  const named = right?.typename === 'FunCall' ? right.name : right;
  // `is none`, `is true`, `is false`: nunjucks reads the name as a literal
  if (named?.typename === 'Literal') return named.value === null ? 'none' : String(named.value);
  return dotted(named);
}

function singleExpression(root: NjNode): NjNode | undefined {
  if (root.children.length !== 1) return undefined;
  const output = root.children[0] as NjNode;
  if (output.typename !== 'Output' || output.children.length !== 1) return undefined;
  const expr = output.children[0] as NjNode;
  return expr.typename === 'TemplateData' ? undefined : expr;
}

function collectNames(node: unknown, names: Set<string>): void {
  if (!isNode(node)) return;
  if (node.typename === 'Symbol') names.add(node.value as string);
  // Filter and test names are Symbols too, but not variables.
  const skip = node.typename === 'Filter' || node.typename === 'FilterAsync' ? 'name' : node.typename === 'Is' ? 'right' : '';
  for (const field of fieldsOf(node)) {
    if (field === skip) {
      if (node.typename === 'Is' && node.right?.typename === 'FunCall') collectNames(node.right.args, names);
      continue;
    }
    const v = node[field];
    if (Array.isArray(v)) v.forEach((c) => collectNames(c, names));
    else collectNames(v, names);
  }
}

function fieldsOf(node: NjNode): string[] {
  return node.typename === 'NodeList' || 'children' in node ? [...node.fields, 'children'].filter((f, i, a) => a.indexOf(f) === i) : node.fields;
}

function isNode(v: unknown): v is NjNode {
  return typeof v === 'object' && v !== null && typeof (v as NjNode).typename === 'string';
}

const ARITH: Record<string, string> = { Sub: '-', Div: '/', FloorDiv: '//', Pow: '**' };

const PY_COMPARE = new Set(['==', '!=', '<', '>', '<=', '>=']);

/** Returns the replacement for `node` (or the node itself, rewritten in place). */
function rewriteNode(node: NjNode): NjNode {
  rewrite(node);
  switch (node.typename) {
    case 'LookupVal':
      return call('__getattr', node, [node.target, node.val]);
    case 'Extends':
      // inheritance is refused where an `{% extends %}` runs, with its line (one inside a false `if`
      // never runs: the template's blocks then render in place, as in Jinja2)
      return new N.Output(node.lineno, node.colno, [call('__extends', node, [node.template as NjNode])]);
    case 'If':
    case 'InlineIf':
      node.cond = call('__bool', node.cond, [node.cond]);
      return node;
    case 'Not':
      node.target = call('__bool', node.target, [node.target]);
      return node;
    case 'Or':
      // Python: `a or b` is a when a is true, else b.
      return new N.InlineIf(node.lineno, node.colno, call('__bool', node.left, [node.left]), node.left, node.right);
    case 'And':
      return new N.InlineIf(node.lineno, node.colno, call('__bool', node.left, [node.left]), node.right, node.left);
    case 'In':
      return call('__in', node, [node.left, node.right]);
    case 'Mod':
      // Python: "%s-%s" % (a, b) formats strings; numbers use Python's modulo
      return call('__mod', node, [node.left, node.right]);
    case 'Add':
      // Python: lists concatenate, numbers add, strings join
      return call('__add', node, [node.left, node.right]);
    case 'Sub':
    case 'Div':
    case 'FloorDiv':
    case 'Pow':
      // Python's int/float rules: 4096/1024 is 4.0, 7//2 is 3, 2**-1 is 0.5
      return call('__arith', node, [new N.Literal(node.lineno, node.colno, ARITH[node.typename]), node.left, node.right]);
    case 'Neg':
      return call('__neg', node, [node.target]);
    case 'Pos':
      return call('__pos', node, [node.target]);
    case 'Mul':
      // Python: '-' * 20 repeats a string, [0] * 3 a list
      return call('__mul', node, [node.left, node.right]);
    case 'Concat':
      // Jinja2's ~ joins str() of both sides: None as 'None', True as 'True', lists as repr
      return call('__concat', node, [node.left, node.right]);
    case 'Group':
      // `(a, b)` is a tuple in Jinja2 (nunjucks would evaluate it with JavaScript's comma operator)
      return (node.children as NjNode[]).length > 1 ? call('__tuple', node, node.children as NjNode[]) : node;
    case 'Array':
      // Lists written in the template may be changed with .append() (Jinja2's accumulator idiom)
      return call('__newlist', node, node.children as NjNode[]);
    case 'Is': {
      // nunjucks passes only one test argument correctly; call tests ourselves: __test(name, value, ...args)
      const right = node.right as NjNode;
      const name = testName(right);
      const args = right.typename === 'FunCall' ? (right.args.children as NjNode[]) : [];
      return call('__test', node, [new N.Literal(node.lineno, node.colno, name), node.left, ...args]);
    }
    case 'Compare':
      if ((node.ops as NjNode[]).every((op) => PY_COMPARE.has(op.type))) {
        const args: NjNode[] = [node.expr];
        for (const op of node.ops as NjNode[]) args.push(new N.Literal(op.lineno, op.colno, op.type), op.expr);
        return call('__compare', node, args);
      }
      return node;
    case 'For':
      // Jinja2 iterates a dict's keys; nunjucks' for loop with one variable skips a dict silently.
      if (node.name?.typename !== 'Array') node.arr = call('__iter', node.arr, [node.arr]);
      return node;
    case 'Output':
      node.children = (node.children as NjNode[]).map((c) => (c.typename === 'TemplateData' ? c : call('__finalize', c, [c])));
      return node;
    default:
      return node;
  }
}

function rewrite(node: NjNode): void {
  for (const field of fieldsOf(node)) {
    // Filter/test/function names must stay Symbols.
    if ((node.typename === 'Filter' || node.typename === 'FilterAsync' || node.typename === 'FunCall') && field === 'name' && node.name?.typename === 'Symbol') continue;
    if (node.typename === 'Is' && field === 'right') {
      if (node.right?.typename === 'FunCall') rewrite(node.right.args);
      continue;
    }
    // Assignment targets and loop variables are names, not reads.
    if ((node.typename === 'Set' && field === 'targets') || ((node.typename === 'For' || node.typename === 'AsyncEach' || node.typename === 'AsyncAll') && field === 'name')) continue;
    if ((node.typename === 'Macro' || node.typename === 'Caller') && (field === 'name' || field === 'args')) continue;
    const v = node[field];
    if (Array.isArray(v)) node[field] = v.map((c) => (isNode(c) ? rewriteNode(c) : c));
    else if (isNode(v)) node[field] = rewriteNode(v);
  }
}

/**
 * Jinja2's `{% for x in items if cond %}` keeps only the items for which `cond` holds, and `loop.index`,
 * `loop.length` and `{% else %}` count those items. nunjucks parses `items if cond` as an inline if
 * without else (Jinja2 never reads a for's iterable that way), so such a For is rewritten to iterate
 * `__loop_filter(items, names, predicate)`: the predicate is an anonymous macro (a nunjucks Caller, the
 * closure `{% call %}` uses) taking the loop variables and printing '1' when `cond` holds. Being a
 * closure, it sees outer loop variables and `set` names like the loop body does.
 */
function rewriteLoopFilters(node: unknown): void {
  if (!isNode(node)) return;
  for (const field of fieldsOf(node)) {
    const v = node[field];
    if (Array.isArray(v)) v.forEach(rewriteLoopFilters);
    else rewriteLoopFilters(v);
  }
  if (node.typename !== 'For' || node.arr?.typename !== 'InlineIf' || node.arr.else_) return;
  const filter = node.arr as NjNode;
  const at = (n: NjNode) => [n.lineno, n.colno] as const;
  const loopNames = (node.name.typename === 'Array' ? node.name.children : [node.name]) as NjNode[];
  const params = loopNames.map((n) => new N.Symbol(...at(n), n.value as string));
  const holds = new N.If(...at(filter.cond), filter.cond, new N.NodeList(...at(filter.cond), [new N.Output(...at(filter.cond), [new N.TemplateData(...at(filter.cond), '1')])]), null);
  const predicate = new N.Caller(...at(filter), new N.Symbol(...at(filter), '__loop_predicate'), new N.NodeList(...at(filter), params), new N.NodeList(...at(filter), [holds]));
  node.arr = call('__loop_filter', filter, [filter.body, new N.Literal(...at(filter), params.length), predicate]);
}

/**
 * `{% include name %}` becomes `{{ __include(name, <the current frame>, ignoreMissing) }}`: the engine
 * renders the included template synchronously with the caller's variables and loop variables, and
 * prints its text. (nunjucks' own include continues the rest of the template in a callback, which
 * loses output when the include sits in an `if` inside a `for`.) The compiler turns the placeholder
 * symbol `__current_frame__` into the frame itself (see engine.ts).
 */
function rewriteIncludes(node: unknown): void {
  if (!isNode(node)) return;
  for (const field of fieldsOf(node)) {
    const v = node[field];
    if (Array.isArray(v)) {
      node[field] = v.map((c) => {
        rewriteIncludes(c);
        if (!isNode(c) || c.typename !== 'Include') return c;
        const at = [c.lineno, c.colno] as const;
        return new N.Output(...at, [call('__include', c, [c.template as NjNode, new N.Symbol(...at, '__current_frame__'), new N.Literal(...at, c.ignoreMissing === true)])]);
      });
    } else rewriteIncludes(v);
  }
}

/**
 * `{% set ns.attr = value %}` (Jinja2's namespace assignment) becomes `{{ __setattr(ns, 'attr', value) }}`,
 * which prints nothing; nunjucks' own set only assigns plain names.
 */
function rewriteAttributeSets(node: unknown): void {
  if (!isNode(node)) return;
  for (const field of fieldsOf(node)) {
    const v = node[field];
    if (Array.isArray(v)) {
      node[field] = v.map((c) => {
        rewriteAttributeSets(c);
        if (!isNode(c) || c.typename !== 'Set' || c.targets.length !== 1 || c.targets[0].typename !== 'LookupVal') return c;
        const target = c.targets[0] as NjNode;
        return new N.Output(c.lineno, c.colno, [call('__setattr', c, [target.target, target.val, (c.value ?? c.body) as NjNode])]);
      });
    } else rewriteAttributeSets(v);
  }
}
