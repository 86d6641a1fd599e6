import type { ModulePlugin } from '@haweb/core';
import { keepalivedConfig } from './modules/keepalived-config.js';
import { keepalivedService } from './modules/keepalived-service.js';
import { keepalivedSource } from './modules/keepalived-source.js';

/** Registers keepalived_source, keepalived_config, keepalived_service. */
export const plugin: ModulePlugin = (registry) => {
  for (const module of [keepalivedSource, keepalivedConfig, keepalivedService]) registry.register(module);
};

export { keepalivedSource, keepalivedConfig, keepalivedService };
export { keepalivedValidateCommand } from './modules/keepalived-config.js';
export { parseKeepalivedV, keepalivedProduct, KEEPALIVED_BUILD_DEPS } from './keepalived-version.js';
export { keepalivedServiceFiles, keepalivedLinks, linkScript } from './service-files.js';
