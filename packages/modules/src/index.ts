/**
 * @haweb/modules: the built-in modules (plugin) plus the facts, planning functions and helpers that
 * installer packages (nginx, keepalived, vrrp) reuse for their own modules.
 */
export { plugin, builtinModules } from './plugin.js';

// Modules (each also reachable through the plugin).
export { commandModule } from './modules/command.js';
export { shellModule } from './modules/shell.js';
export { copyModule, fileWriteArgs, resolveDest } from './modules/copy.js';
export { templateModule } from './modules/template.js';
export { fileModule } from './modules/file.js';
export { lineinfileModule } from './modules/lineinfile.js';
export { blockinfileModule } from './modules/blockinfile.js';
export { unarchiveModule } from './modules/unarchive.js';
export { statModule, statResult } from './modules/stat.js';
export { packageModule } from './modules/package.js';
export { aptModule } from './modules/apt.js';
export { yumModule } from './modules/yum.js';
export { serviceModule } from './modules/service.js';
export { iptablesModule } from './modules/iptables.js';
export { firewallOpenModule } from './modules/firewall_open.js';
export { debugModule } from './modules/debug.js';
export { assertModule } from './modules/assert.js';
export { failModule } from './modules/fail.js';
export { setFactModule } from './modules/set_fact.js';
export { setupModule } from './modules/setup.js';
export { metaModule, META_ACTIONS } from './modules/meta.js';
export * from './modules/batch2.js';
export * from './modules/batch3.js';
export * from './modules/batch4.js';
export * from './modules/batch5.js';
export { getUrlModule } from './modules/get_url.js';
export { userModule } from './modules/user.js';
export { groupModule } from './modules/group.js';
export { systemdModule } from './modules/systemd.js';
export { replaceModule } from './modules/replace.js';
export { waitForModule } from './modules/wait_for.js';
export { pauseModule } from './modules/pause.js';
export * from './modules/batch-cor.js';
export * from './modules/batch-postgresql.js';
export * from './modules/batch-lamp.js';
export * from './modules/batch-deb.js';

// Facts (command + pure parser).
export * from './facts/files.js';
export * from './facts/server.js';
export * from './facts/network.js';
export * from './facts/packages.js';
export * from './facts/services.js';
export * from './facts/iptables.js';
export * from './facts/archive.js';
export * from './facts/tree.js';

// Planning (facts + args -> commands / content).
export { type DesiredAttributes, type Plan, planAttributes, attributeCommandsForNew, type FileState, type FileArgs, PlanError, planFile } from '@haweb/hostkit';
export * from './operations/lines.js';
export { type PackagePlanArgs, type PackagePlan, planPackages } from '@haweb/hostkit';
export { type ServiceState, type ServicePlanArgs, type ServicePlan, ServicePlanError, planService } from '@haweb/hostkit';
export * from './operations/iptables.js';
export * from './operations/replace.js';

// Helpers for module authors.
export { ensureFile, readFileInfo, sha256, backupName, type EnsureFileOptions } from '@haweb/hostkit';
export { editedFileArgs, makeParentFolders } from './util/edit-file.js';
export { runPlan, runArgv, planScript, detachedScript, CommandFailed, type PlannedCommand } from '@haweb/hostkit';
export { runUserCommand, guardSkipReason } from './util/command-result.js';
export { choosePackageTool, runPackages } from './util/package-run.js';
export { defineHostModule } from './util/define.js';
export { ok, changed, failed, fileDiff, stateDiff, errorMessage } from '@haweb/hostkit';
export { parseMode, resolveMode, formatMode, type ModeSpec } from '@haweb/hostkit';
export { shlexSplit } from '@haweb/hostkit';
export { boolish, modeArg, stringList, remotePath, intish } from './util/schema.js';
