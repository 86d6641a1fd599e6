/**
 * The differential harness: renders template cases with this project's engine and with Ansible 2.14's
 * Templar (templar.py), and compares them. Used by the unit test (differential.test.ts, on the in-repo
 * corpus) and by scripts/compat/templating-external.mjs (external suites kept outside the repository).
 * Plain JavaScript so that both can load it: the test passes the engine from src, the script from dist.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const TEMPLAR_PY = fileURLToPath(new URL('./templar.py', import.meta.url));

/** A python3 that can import ansible: $HAWEB_PYTHON, else python3, else Debian's /usr/bin/python3. Throws if none. */
export function pythonWithAnsible() {
  const candidates = [process.env.HAWEB_PYTHON, 'python3', '/usr/bin/python3'].filter(Boolean);
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import ansible, jinja2'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  throw new Error(`no python3 with Ansible found (tried ${candidates.join(', ')}): the differential test needs Ansible 2.14 (scripts/setup.sh installs Debian's ansible)`);
}

/** Ansible's results for every case of a YAML/JSON cases file: { ansible, jinja2, results: { id: result } }. */
export function referenceResults(casesFile) {
  const py = pythonWithAnsible();
  const r = spawnSync(py, [TEMPLAR_PY, casesFile], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCAL_TEMP: process.env.TMPDIR ?? '/tmp' } });
  if (r.status !== 0) throw new Error(`templar.py failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** Our value in templar.py's encoding: floats as {float: repr}, tuples as {tuple: [...]}. */
export function encode(value, engine) {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isInteger(value) ? value : { float: engine.floatRepr(value) };
  if (value instanceof engine.PyFloat) return { float: engine.floatRepr(value.valueOf()) };
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return engine.isTuple(value) ? { tuple: value.map((v) => encode(v, engine)) } : value.map((v) => encode(v, engine));
  if (typeof value === 'object') {
    if (value.constructor?.name === 'SecretString') return String(value.value);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encode(v, engine)]));
  }
  return { object: typeof value, repr: String(value) };
}

/** Render one case with our engine: { ok, output, warnings } or { ok: false, error }. */
export function renderOurs(engine, c) {
  const vars = c.vars ?? {};
  try {
    switch (c.mode ?? 'template') {
      case 'template': {
        const files = c.files ?? {};
        const loader = (name) => {
          if (!(name in files)) throw new Error(`template not found: ${name}`);
          return files[name];
        };
        return { ok: true, output: engine.renderTemplate(c.template, vars, loader), warnings: [] };
      }
      case 'value':
        return { ok: true, output: encode(engine.render(c.template, vars), engine), warnings: [] };
      case 'condition': {
        const r = engine.evaluateConditional(c.template, vars);
        return { ok: true, output: r.holds, warnings: r.warnings };
      }
      default:
        throw new Error(`unknown mode ${c.mode}`);
    }
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

function sameJson(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Compare every case. A case agrees when both render the same output (and, for conditions, the same
 * warnings), or both refuse. Returns rows { id, agree, kind, ours, ref }.
 */
export function compare(engine, cases, reference) {
  return cases.map((c) => {
    const ours = renderOurs(engine, c);
    const ref = reference.results[c.id];
    if (!ref) return { id: c.id, agree: false, kind: 'no reference', ours, ref };
    if (!ours.ok && !ref.ok) return { id: c.id, agree: true, kind: 'both refuse', ours, ref };
    if (ours.ok !== ref.ok) return { id: c.id, agree: false, kind: ours.ok ? 'only Ansible refuses' : 'only we refuse', ours, ref };
    const warningsMatch = (c.mode ?? 'template') !== 'condition' || sameJson(ours.warnings, ref.warnings.filter((w) => !w.startsWith('[DEPRECATION]')));
    if (sameJson(ours.output, ref.output) && warningsMatch) return { id: c.id, agree: true, kind: 'identical', ours, ref };
    return { id: c.id, agree: false, kind: warningsMatch ? 'different output' : 'different warnings', ours, ref };
  });
}

/** Figures of a comparison: total, identical, both refuse, agreeing share (percent, one decimal). */
export function figures(rows) {
  const identical = rows.filter((r) => r.kind === 'identical').length;
  const bothRefuse = rows.filter((r) => r.kind === 'both refuse').length;
  const agree = identical + bothRefuse;
  return { total: rows.length, identical, bothRefuse, agree, percent: rows.length ? Math.floor((1000 * agree) / rows.length) / 10 : 0 };
}
