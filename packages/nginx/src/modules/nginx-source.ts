import { z } from 'zod';
import { defineModule } from '@haweb/core';
import { ensureSourceBuild, resolveOsFamily, sourceBuildSpec, withBuildTools } from '@haweb/hostkit';
import { NGINX_BUILD_DEPS } from '../build-deps.js';
import { nginxProduct } from '../nginx-version.js';

/**
 * nginx built from the upstream tarball, as the seed's section 4 does by hand:
 *
 *   - nginx_source:
 *       src: files/nginx-1.22.1.tar.gz     # on the controller
 *       prefix: /usr/local/nginx
 *       configure_args: [--with-http_ssl_module]
 *
 * Idempotent by fact: `<prefix>/sbin/nginx -V` must report the declared version and configure
 * arguments, and the marker of a finished `make install` must be there; otherwise it (re)builds.
 */
export const nginxSourceArgs = z.strictObject({
  src: z.string().min(1).describe('controller path of the nginx tarball'),
  version: z.string().min(1).optional().describe('defaults to the version in the tarball name'),
  prefix: z.string().startsWith('/').default('/usr/local/nginx'),
  configure_args: z.array(z.string()).default([]),
  make_jobs: z.number().int().positive().optional().describe('defaults to the host vCPU count'),
  build_deps: z.array(z.string()).optional().describe("defaults to the OS family's list"),
  src_dir: z.string().startsWith('/').default('/usr/local/src'),
  os_family: z.enum(['RedHat', 'Debian']).optional().describe('overrides ansible_os_family'),
});

export const nginxSource = defineModule({
  name: 'nginx_source',
  aliases: ['haweb.nginx.source'],
  description: 'Build and install nginx from a source tarball; rebuild only when nginx -V differs from what is declared.',
  args: nginxSourceArgs,
  checkMode: 'full',
  localFiles: (args) => (typeof args.src === 'string' && !args.src.includes('{{') ? [{ path: args.src, kind: 'files' as const }] : []),
  async run(args, ctx) {
    const family = resolveOsFamily(args.os_family, ctx.facts, ctx.hostName);
    // tar: minimal EL8/EL9 images lack it, and the build's first step extracts the tarball.
    const spec = sourceBuildSpec(nginxProduct, args, ctx, family, { RedHat: withBuildTools(NGINX_BUILD_DEPS.RedHat), Debian: withBuildTools(NGINX_BUILD_DEPS.Debian) });
    return ensureSourceBuild(spec, ctx);
  },
});
