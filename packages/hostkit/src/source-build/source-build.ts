import { basename, posix } from 'node:path';
import { shellJoin, shellQuote, type Fact, type ModuleContext, type ModuleResult } from '@haweb/core';
import { fullConfigureArgs, sameArgs } from './configure-args.js';
import { installedPackagesFact, missingPackages, packageInstallRefreshingScript } from './build-deps.js';
import type { OsFamily } from '../os-family.js';
import { sha256File } from '../digest.js';
import { applySteps, type Step, type StepFailure } from '../apply.js';
import { declaredVersion } from './tarball.js';

/**
 * Building a product (nginx, keepalived) from an upstream tarball, the seed's way
 * (upload to /usr/local/src, tar, ./configure --prefix, make, make install), made idempotent:
 * the installed binary reports its version and configure arguments, and a marker file written only
 * after a successful `make install` proves the last build finished.
 */

/** What the installed binary says about itself. */
export interface BuiltBinary {
  version: string;
  configureArgs: string[];
}

/** Written to <prefix>/.haweb-build.json after `make install` succeeded, and only then. */
export interface BuildMarker {
  product: string;
  version: string;
  configure_args: string[];
  tarball_sha256: string;
}

/** How one product differs from another: where its binary is and how it reports itself. */
export interface SourceProduct {
  name: string;
  /** The binary under the prefix that reports the version (e.g. sbin/nginx). */
  binaryPath(prefix: string): string;
  /** Flag printing version + configure arguments (`-V` for nginx, `-v` for keepalived). */
  versionFlag: string;
  parseVersionOutput(output: string): BuiltBinary | undefined;
  /** A line of `make` output that compiles one object (for progress). */
  compileLine: RegExp;
  /** Shell run in the build dir after configure; prints how many objects make will compile. */
  countObjectsScript: string;
}

export interface SourceBuildSpec {
  product: SourceProduct;
  /** Controller path of the tarball. */
  src: string;
  version: string;
  prefix: string;
  /** Declared configure arguments (without --prefix). */
  configureArgs: string[];
  makeJobs: number;
  /** Upload folder on the host (the seed's /usr/local/src). */
  srcDir: string;
  buildDeps: string[];
  family: OsFamily;
}

export interface InstalledState {
  binary?: BuiltBinary;
  marker?: BuildMarker;
  /** Raw version output when the binary exists but could not be parsed. */
  unparsed?: string;
}

export function markerPath(prefix: string): string {
  return posix.join(prefix, '.haweb-build.json');
}

export function buildDirFor(spec: Pick<SourceBuildSpec, 'srcDir' | 'product' | 'version'>): string {
  return posix.join(spec.srcDir, `${spec.product.name}-${spec.version}`);
}

export function remoteTarballPath(spec: Pick<SourceBuildSpec, 'srcDir' | 'src'>): string {
  return posix.join(spec.srcDir, basename(spec.src));
}

const MARKER_SEPARATOR = '@@haweb-marker';

/** One round trip: the binary's version report and the build marker. */
export const installedBuildFact: Fact<{ product: SourceProduct; prefix: string }, InstalledState> = {
  name: 'installed_build',
  command({ product, prefix }) {
    const bin = shellQuote(product.binaryPath(prefix));
    return [
      `if [ -x ${bin} ]; then ${bin} ${product.versionFlag} 2>&1; fi`,
      `echo ${MARKER_SEPARATOR}`,
      `cat ${shellQuote(markerPath(prefix))} 2>/dev/null`,
      'true',
    ].join('; ');
  },
  parse(stdout, _code, { product }) {
    const at = stdout.indexOf(MARKER_SEPARATOR);
    const versionOutput = at >= 0 ? stdout.slice(0, at) : stdout;
    const markerText = at >= 0 ? stdout.slice(at + MARKER_SEPARATOR.length).trim() : '';
    const state: InstalledState = {};
    if (versionOutput.trim()) {
      const binary = product.parseVersionOutput(versionOutput);
      if (binary) state.binary = binary;
      else state.unparsed = versionOutput.trim();
    }
    if (markerText) {
      try {
        const parsed = JSON.parse(markerText) as BuildMarker;
        if (parsed && typeof parsed.version === 'string' && Array.isArray(parsed.configure_args)) state.marker = parsed;
      } catch {
        // A corrupt marker is the same as none: the build is redone.
      }
    }
    return state;
  },
};

export interface BuildDecision {
  build: boolean;
  /** Why a build is needed (empty when it is not). */
  reasons: string[];
}

/**
 * Pure: compare what is installed with what is declared. Rebuild when the binary is missing, reports
 * another version or other configure arguments, or when the marker of a finished build is missing or
 * describes another build (an interrupted or failed earlier build).
 */
export function planSourceBuild(
  declared: { version: string; configureArgs: string[]; tarballSha256: string },
  installed: InstalledState,
): BuildDecision {
  const reasons: string[] = [];
  if (!installed.binary) {
    reasons.push(installed.unparsed ? `installed binary's version report is not understood: ${installed.unparsed.split('\n')[0]}` : 'not installed');
  } else {
    if (installed.binary.version !== declared.version) {
      reasons.push(`installed version ${installed.binary.version}, declared ${declared.version}`);
    }
    if (!sameArgs(installed.binary.configureArgs, declared.configureArgs)) {
      reasons.push(
        `configure arguments differ: installed "${installed.binary.configureArgs.join(' ')}", declared "${declared.configureArgs.join(' ')}"`,
      );
    }
  }
  if (reasons.length === 0) {
    const marker = installed.marker;
    if (!marker) reasons.push('no marker of a finished build: the last build did not complete');
    else if (marker.tarball_sha256 !== declared.tarballSha256) reasons.push('the tarball changed since the last build');
    else if (marker.version !== declared.version || !sameArgs(marker.configure_args, declared.configureArgs)) {
      reasons.push('the marker describes another build');
    }
  }
  return { build: reasons.length > 0, reasons };
}

export interface BuildStep {
  name: 'extract' | 'configure' | 'compile' | 'install';
  script: string;
  timeoutMs: number;
}

/** Pure: the shell steps of a build, in order. Each runs on its own so a failure names its step. */
export function planBuildSteps(spec: SourceBuildSpec, configureArgs: string[]): BuildStep[] {
  const dir = shellQuote(buildDirFor(spec));
  const tarball = shellQuote(remoteTarballPath(spec));
  return [
    {
      name: 'extract',
      // The marker goes first: from here until `make install` finishes, the install is unproven.
      script: `rm -f ${shellQuote(markerPath(spec.prefix))} && rm -rf ${dir} && mkdir -p ${dir} && tar -xf ${tarball} -C ${dir} --strip-components=1 --no-same-owner`,
      timeoutMs: 5 * 60_000,
    },
    { name: 'configure', script: `cd ${dir} && ./configure ${shellJoin(configureArgs)}`, timeoutMs: 15 * 60_000 },
    { name: 'compile', script: `cd ${dir} && make -j${spec.makeJobs}`, timeoutMs: 60 * 60_000 },
    { name: 'install', script: `cd ${dir} && make install`, timeoutMs: 15 * 60_000 },
  ];
}

/** Progress of a build from its output: configure checks, then objects compiled out of how many. */
export class BuildProgress {
  private buffer = '';
  private checks = 0;
  private compiled = 0;
  total: number | undefined;

  constructor(
    private readonly label: string,
    private readonly product: SourceProduct,
    private readonly report: (message: string) => void,
  ) {}

  step(name: BuildStep['name']): void {
    this.buffer = '';
    this.report(`${this.label}: ${name}${name === 'compile' && this.total ? ` 0/${this.total} objects` : ''}`);
  }

  feed(step: BuildStep['name'], chunk: string): void {
    this.buffer += chunk;
    const lines = this.buffer.split('\n');
    this.buffer = lines.pop() ?? '';
    let updated = false;
    for (const line of lines) {
      if (step === 'configure' && /^checking /.test(line)) {
        this.checks += 1;
        updated = true;
      }
      if (step === 'compile' && this.product.compileLine.test(line)) {
        this.compiled += 1;
        updated = true;
      }
    }
    if (!updated) return;
    if (step === 'configure') this.report(`${this.label}: configure (${this.checks} checks)`);
    if (step === 'compile') {
      const of = this.total ? `/${this.total}` : '';
      const shown = this.total ? Math.min(this.compiled, this.total) : this.compiled;
      this.report(`${this.label}: compile ${shown}${of} objects`);
    }
  }

  get compiledObjects(): number {
    return this.compiled;
  }
}

function tail(text: string, lines = 15): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

/**
 * The whole idempotent flow shared by nginx_source and keepalived_source: read the installed state,
 * decide, then one plan through applySteps (check mode and its answer are apply's): install missing
 * build dependencies, upload unless the host has the same bytes, build with live progress (streamed
 * steps), write the marker; then read the installed state again to prove the build.
 */
export async function ensureSourceBuild(spec: SourceBuildSpec, ctx: ModuleContext): Promise<ModuleResult> {
  const configureArgs = fullConfigureArgs(spec.prefix, spec.configureArgs);
  const tarballSha256 = await sha256File(spec.src);
  const installed = await ctx.fact(installedBuildFact, { product: spec.product, prefix: spec.prefix });
  const decision = planSourceBuild({ version: spec.version, configureArgs, tarballSha256 }, installed);
  const label = `${spec.product.name} ${spec.version}`;
  const base = { version: spec.version, prefix: spec.prefix, configure_args: configureArgs };
  if (!decision.build) {
    return { changed: false, msg: `${label} is installed in ${spec.prefix} with the declared configure arguments`, ...base };
  }
  const installedDeps = await ctx.fact(installedPackagesFact, { family: spec.family, names: spec.buildDeps });
  const missing = missingPackages(spec.buildDeps, installedDeps);
  const marker: BuildMarker = { product: spec.product.name, version: spec.version, configure_args: configureArgs, tarball_sha256: tarballSha256 };
  const progress = new BuildProgress(label, spec.product, (m) => ctx.progress(m));
  const plan = planSourceBuildSteps(spec, {
    configureArgs,
    missing,
    tarballSha256,
    marker,
    progress,
    uploaded: () => ctx.log(`uploaded ${spec.src} to ${remoteTarballPath(spec)}`),
  });

  let failure: StepFailure | undefined;
  const started = Date.now();
  const res = await applySteps(ctx, plan.steps, {
    checkMsg: `would build ${label} (${decision.reasons.join('; ')})${missing.length ? `; would install ${missing.join(' ')}` : ''}`,
    result: { reasons: decision.reasons, missing_build_deps: missing, ...base },
    // Nothing of the build is a diff (the marker is the kit's own record), as before.
    diff: [],
    timeoutMs: 0,
    failure: (f) => {
      failure = f;
      return '';
    },
  });
  if (ctx.check) return res;
  if (res.failed && failure) {
    const f = failure;
    const name = plan.buildStepOf(f.step);
    if (name === undefined) {
      return { changed: false, failed: true, msg: `installing build dependencies ${missing.join(' ')} failed: ${tail(f.result.stderr || f.result.stdout)}` };
    }
    const output = plan.outputOf(name) || f.result.stdout + f.result.stderr;
    return {
      changed: true,
      failed: true,
      msg: `${label}: ${name} failed (exit ${f.result.code}); the next run redoes the build:\n${tail(output)}`,
      step: name,
      reasons: decision.reasons,
    };
  }
  const after = await ctx.fact(installedBuildFact, { product: spec.product, prefix: spec.prefix });
  const verify = planSourceBuild({ version: spec.version, configureArgs, tarballSha256 }, after);
  if (verify.build) {
    return { changed: true, failed: true, msg: `${label} was built but the result does not match: ${verify.reasons.join('; ')}` };
  }
  return {
    changed: true,
    msg: `built ${label} into ${spec.prefix} in ${Math.round((Date.now() - started) / 1000)} s (${decision.reasons.join('; ')})`,
    reasons: decision.reasons,
    compiled_objects: progress.compiledObjects,
    ...base,
  };
}

/** The steps of a build, with what the flow reads back from them once they ran. */
export interface SourceBuildPlan {
  steps: Step[];
  /** The build step (extract, configure, compile, install) a step is, if it is one. */
  buildStepOf(step: Step): BuildStep['name'] | undefined;
  /** The last 20,000 characters a build step printed. */
  outputOf(name: BuildStep['name']): string;
}

/**
 * The build as apply steps: dependencies (when some are missing), the tarball's digest on the host
 * (a probe: the upload is skipped when it matches), mkdir and upload, the four build steps streamed
 * into `progress` (after configure, a probe counts the objects make will compile), then the marker.
 */
export function planSourceBuildSteps(
  spec: SourceBuildSpec,
  build: {
    configureArgs: string[];
    missing: string[];
    tarballSha256: string;
    marker: BuildMarker;
    progress: BuildProgress;
    /** Told once the tarball was sent (before the build starts). */
    uploaded?: () => void;
  },
): SourceBuildPlan {
  const { progress } = build;
  const label = `${spec.product.name} ${spec.version}`;
  const remote = remoteTarballPath(spec);
  const steps: Step[] = [];
  if (build.missing.length > 0) {
    steps.push({
      kind: 'script',
      script: packageInstallRefreshingScript(spec.family, build.missing),
      why: `install build dependencies ${build.missing.join(' ')}`,
      progress: `${label}: installing build dependencies ${build.missing.join(' ')}`,
      timeoutMs: 20 * 60_000,
    });
  }
  let hostSha = '';
  const upload = () => hostSha !== build.tarballSha256;
  steps.push(
    {
      kind: 'script',
      script: `sha256sum ${shellQuote(remote)} 2>/dev/null | cut -d' ' -f1`,
      why: `read the digest of ${remote}`,
      mayFail: true,
      onResult: (r) => {
        hostSha = r.stdout.trim();
      },
    },
    { kind: 'run', argv: ['mkdir', '-p', spec.srcDir], why: `make ${spec.srcDir}`, mayFail: true, when: upload },
    { kind: 'put', local: spec.src, path: remote, mode: '0644', why: `upload ${basename(spec.src)}`, progress: `uploading ${basename(spec.src)}`, when: upload },
  );
  const buildSteps = new Map<Step, BuildStep['name']>();
  const outputs = new Map<BuildStep['name'], string>();
  for (const b of planBuildSteps(spec, build.configureArgs)) {
    const step: Step = {
      kind: 'script',
      script: `${b.script} 2>&1`,
      why: `${b.name} ${label}`,
      timeoutMs: b.timeoutMs,
      before: () => {
        if (b.name === 'extract' && upload()) build.uploaded?.();
        progress.step(b.name);
      },
      onOutput: (chunk) => {
        outputs.set(b.name, ((outputs.get(b.name) ?? '') + chunk).slice(-20_000));
        progress.feed(b.name, chunk);
      },
    };
    buildSteps.set(step, b.name);
    steps.push(step);
    if (b.name === 'configure') {
      steps.push({
        kind: 'script',
        script: `cd ${shellQuote(buildDirFor(spec))} && ${spec.product.countObjectsScript}`,
        why: `count the objects of ${label}`,
        mayFail: true,
        onResult: (r) => {
          const n = Number.parseInt(r.stdout.trim(), 10);
          if (Number.isFinite(n) && n > 0) progress.total = n;
        },
      });
    }
  }
  steps.push({ kind: 'file', path: markerPath(spec.prefix), content: `${JSON.stringify(build.marker, null, 2)}\n`, mode: '0644', parents: false, why: `mark the build of ${label} finished` });
  return {
    steps,
    buildStepOf: (step) => buildSteps.get(step),
    outputOf: (name) => outputs.get(name) ?? '',
  };
}

export interface CommonSourceArgs {
  src: string;
  version?: string;
  prefix: string;
  configure_args: string[];
  make_jobs?: number;
  build_deps?: string[];
  src_dir: string;
}

/** Build a SourceBuildSpec from module args and facts (make -j defaults to the host's vCPUs). */
export function sourceBuildSpec(
  product: SourceProduct,
  args: CommonSourceArgs,
  ctx: Pick<ModuleContext, 'facts' | 'resolveLocal'>,
  family: OsFamily,
  defaultDeps: Readonly<Record<OsFamily, readonly string[]>>,
): SourceBuildSpec {
  const vcpus = Number(ctx.facts.ansible_processor_vcpus);
  return {
    product,
    src: ctx.resolveLocal(args.src, 'files'),
    version: declaredVersion(args.src, args.version),
    prefix: args.prefix,
    configureArgs: args.configure_args,
    makeJobs: args.make_jobs ?? (Number.isInteger(vcpus) && vcpus > 0 ? vcpus : 2),
    srcDir: args.src_dir,
    buildDeps: [...(args.build_deps ?? defaultDeps[family])],
    family,
  };
}
