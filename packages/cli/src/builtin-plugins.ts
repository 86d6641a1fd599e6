/**
 * The plug-in packages that ship with `provision`, imported statically: the bundled command
 * (dist/provision.js) then carries them, and there is one copy of @haweb/core for the engine and for
 * every module (a runtime `import(name)` from the bundle would load a second one).
 */
import * as modules from '@haweb/modules';
import * as nginx from '@haweb/nginx';
import * as keepalived from '@haweb/keepalived';
import * as vrrp from '@haweb/vrrp';

export const BUILTIN_PLUGINS: Readonly<Record<string, unknown>> = {
  '@haweb/modules': modules,
  '@haweb/nginx': nginx,
  '@haweb/keepalived': keepalived,
  '@haweb/vrrp': vrrp,
};
