import type { ModulePlugin } from '@haweb/core';
import { nginxConfig } from './modules/nginx-config.js';
import { nginxHealthCheck } from './modules/nginx-health-check.js';
import { nginxIndex } from './modules/nginx-index.js';
import { nginxService } from './modules/nginx-service.js';
import { nginxSource } from './modules/nginx-source.js';
import { rcLocal } from './modules/rc-local.js';

/** Registers nginx_source, nginx_config, nginx_index, nginx_service, nginx_health_check, rc_local. */
export const plugin: ModulePlugin = (registry) => {
  for (const module of [nginxSource, nginxConfig, nginxIndex, nginxService, nginxHealthCheck, rcLocal]) {
    registry.register(module);
  }
};

export { nginxSource, nginxConfig, nginxIndex, nginxService, nginxHealthCheck, rcLocal };
export { parseNginxV, nginxProduct } from './nginx-version.js';
export { renderNginxConf, type NginxConfSettings, type UpstreamBlock } from './templates/nginx-conf.js';
export { renderNginxCheck, type NginxCheckSettings } from './templates/nginx-check.js';
export { renderIndexPage } from './templates/index-page.js';
export { planRcLocal, rcLocalPath } from './rc-local.js';
export { planNginxControl, nginxRunningFact } from './nginx-control.js';
export { nginxValidateCommand } from './modules/nginx-config.js';
// The build dependencies nginx needs (the source-build kit itself lives in @haweb/hostkit).
export { NGINX_BUILD_DEPS } from './build-deps.js';
