import type { ModuleDefinition, ModulePlugin } from '@haweb/core';
import { aptModule } from './modules/apt.js';
import { assertModule } from './modules/assert.js';
import { asyncStatusModule } from './modules/async_status.js';
import { blockinfileModule } from './modules/blockinfile.js';
import { commandModule } from './modules/command.js';
import { copyModule } from './modules/copy.js';
import { debugModule } from './modules/debug.js';
import { failModule } from './modules/fail.js';
import { fileModule } from './modules/file.js';
import { firewallOpenModule } from './modules/firewall_open.js';
import { iptablesModule } from './modules/iptables.js';
import { lineinfileModule } from './modules/lineinfile.js';
import { metaModule } from './modules/meta.js';
import { packageModule } from './modules/package.js';
import { serviceModule } from './modules/service.js';
import { setFactModule } from './modules/set_fact.js';
import { setupModule } from './modules/setup.js';
import { shellModule } from './modules/shell.js';
import { statModule } from './modules/stat.js';
import { templateModule } from './modules/template.js';
import { unarchiveModule } from './modules/unarchive.js';
import { yumModule } from './modules/yum.js';
import { batch2Modules } from './modules/batch2.js';
import { batch3Modules } from './modules/batch3.js';
import { getUrlModule } from './modules/get_url.js';
import { groupModule } from './modules/group.js';
import { userModule } from './modules/user.js';
import { systemdModule } from './modules/systemd.js';
import { replaceModule } from './modules/replace.js';
import { waitForModule } from './modules/wait_for.js';
import { pauseModule } from './modules/pause.js';
import { corModules } from './modules/batch-cor.js';
import { batch4Modules } from './modules/batch4.js';
import { batch5Modules } from './modules/batch5.js';
import { postgresqlModules } from './modules/batch-postgresql.js';
import { lampModules } from './modules/batch-lamp.js';
import { debModules } from './modules/batch-deb.js';

/** Every built-in module, in documentation order. */
export const builtinModules: readonly ModuleDefinition[] = [
  commandModule,
  shellModule,
  copyModule,
  templateModule,
  fileModule,
  lineinfileModule,
  blockinfileModule,
  unarchiveModule,
  statModule,
  packageModule,
  aptModule,
  yumModule,
  serviceModule,
  iptablesModule,
  firewallOpenModule,
  debugModule,
  assertModule,
  failModule,
  setFactModule,
  setupModule,
  metaModule,
  asyncStatusModule,
  ...batch2Modules,
  ...batch3Modules,
  getUrlModule,
  userModule,
  groupModule,
  systemdModule,
  replaceModule,
  waitForModule,
  pauseModule,
  ...corModules,
  ...batch4Modules,
  ...batch5Modules,
  ...postgresqlModules,
  ...lampModules,
  ...debModules,
] as unknown as readonly ModuleDefinition[];

/** Registers the built-in modules. */
export const plugin: ModulePlugin = (registry) => {
  for (const module of builtinModules) registry.register(module);
};
