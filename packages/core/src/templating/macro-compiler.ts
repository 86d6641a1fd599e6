/**
 * nunjucks' compiler with Jinja2's macro scoping. nunjucks gives every macro an empty frame, so a macro
 * defined inside a loop or inside another macro does not see the loop variable or the enclosing
 * macro's arguments (Jinja2's closures do), and a macro defined inside a macro is written to the
 * template's context, visible everywhere. Here such a nested macro keeps a reference to the frame it
 * was defined in: its reads fall through to it (late binding, as Python closures), its writes stay
 * its own (an isolated frame), and its name is local to where it was defined.
 * A macro that reads `varargs` or `kwargs` takes extra arguments into them (nunjucks-internals.ts).
 * Inside a macro, `caller` is only ever the {% call %} block's (undefined otherwise, as in Jinja2).
 * A for loop's `{% else %}` runs when the loop ran no iteration: there the loop variable is the
 * enclosing scope's (Jinja2), not the loop's never-assigned one (nunjucks).
 */
import { nunjucks, type NjNode } from './nunjucks-internals.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
interface CompilerInternals {
  codebuf: string[];
  _tmpid(): string;
  _compileMacro(node: NjNode, frame?: unknown): string;
  _emitLine(code: string): void;
}
type CompileFrame = { parent?: CompileFrame; set(name: string, value: string): void; push(): CompileFrame };

const Base = nunjucks.compiler.Compiler as unknown as new (name: string, throwOnUndefined: boolean) => any;

class JinjaScopedCompiler extends Base {
  private macroDepth = 0;

  compileFor(this: JinjaScopedCompiler & CompilerInternals, node: NjNode, frame: CompileFrame): void {
    if (node.else_) node.else_ = { typename: 'ForElseBody', body: node.else_, lineno: node.else_.lineno, colno: node.else_.colno, fields: ['body'] };
    super.compileFor(node, frame);
  }

  /** The else body, compiled against the scope around the loop (a child of it, so its sets stay inside). */
  compileForElseBody(this: JinjaScopedCompiler & CompilerInternals & { compile(n: NjNode, f: CompileFrame): void }, node: NjNode, frame: CompileFrame): void {
    this.compile(node.body, (frame.parent ?? frame).push());
  }

  compileMacro(this: JinjaScopedCompiler & CompilerInternals, node: NjNode, frame: CompileFrame): void {
    const nested = frame.parent !== undefined || this.macroDepth > 0;
    const start = this.codebuf.length;
    this.macroDepth++;
    let funcId: string;
    try {
      funcId = this._compileMacro(node);
    } finally {
      this.macroDepth--;
    }
    const name = node.name.value as string;
    frame.set(name, funcId);
    if (readsName(node.body, 'varargs') || readsName(node.body, 'kwargs')) {
      const header = this.codebuf.findIndex((line, i) => i >= start && line.includes('runtime.makeMacro('));
      this.codebuf[header] = this.codebuf[header].replace('runtime.makeMacro(', 'runtime.makeVarargsMacro(');
      const body = this.codebuf.findIndex((line, i) => i > header && line === 'kwargs = kwargs || {};\n');
      this.codebuf.splice(body + 1, 0, 'frame.set("varargs", runtime.currentMacroExtras().varargs);\nframe.set("kwargs", runtime.currentMacroExtras().kwargs);\n');
    }
    const callerLine = this.codebuf.findIndex((line, i) => i >= start && line.includes('frame.set("caller", kwargs.caller); }'));
    if (callerLine >= 0) this.codebuf[callerLine] = this.codebuf[callerLine].replace('frame.set("caller", kwargs.caller); }', 'frame.set("caller", kwargs.caller); } else { frame.set("caller", context.lookup("__no_caller")); }');
    if (!nested) {
      if (name.charAt(0) !== '_') this._emitLine(`context.addExport("${name}");`);
      this._emitLine(`context.setVariable("${name}", ${funcId});`);
      return;
    }
    const definedIn = this._tmpid();
    this.codebuf.splice(start, 0, `var ${definedIn} = frame;\n`);
    // the first fresh frame after `start` is this macro's own (its header precedes its body)
    for (let i = start + 1; i < this.codebuf.length; i++) {
      if (this.codebuf[i].includes('frame = new runtime.Frame();')) {
        this.codebuf[i] = this.codebuf[i].replace('frame = new runtime.Frame();', `frame = new runtime.Frame(${definedIn}, true);`);
        break;
      }
    }
    this._emitLine(`frame.set("${name}", ${funcId});`);
  }
}

/** Does the template code under `node` read the variable `name` (outside nested macros)? */
function readsName(node: unknown, name: string): boolean {
  if (!node || typeof node !== 'object') return false;
  const n = node as NjNode;
  if (n.typename === 'Symbol' && n.value === name) return true;
  if (n.typename === 'Macro') return false;
  const children = Array.isArray(node) ? node : (n.fields ?? []).map((f: string) => n[f]).concat(n.children ?? []);
  return children.some((c: unknown) => readsName(c, name));
}

export function newCompiler(): { compile(ast: NjNode): void; getCode(): string } {
  return new JinjaScopedCompiler('template', false) as unknown as { compile(ast: NjNode): void; getCode(): string };
}
