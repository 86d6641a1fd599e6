import type { ModulePlugin } from '@haweb/core';
import { vrrpClusterCheck } from './cluster-check.js';
import { haFirewallCheck } from './firewall-check.js';
import { vrrpService } from './vrrp-service.js';

/** Registers vrrp_service, vrrp_cluster_check and ha_firewall_check. */
export const installerPlugin: ModulePlugin = (registry) => {
  registry.register(vrrpService);
  registry.register(vrrpClusterCheck);
  registry.register(haFirewallCheck);
};

export { vrrpClusterCheck, vrrpClusterCheckArgs, checkLayout, severityForLayout, varsFor } from './cluster-check.js';
export { haFirewallCheck, haFirewallCheckArgs, locateVariable, describeProblem, playNodes } from './firewall-check.js';
export { vrrpService, vrrpServiceArgs, vrrpServiceFiles, markConfigSecrets } from './vrrp-service.js';
export { collectRuntime, packRuntime, digestRuntime, runtimeFiles, isOtherPlatformPackage, vrrpPackageRoot, type RuntimeManifest, type RuntimePackage } from './runtime-pack.js';
export { chooseNodeRuntime, parseLibc, requiredGlibc, nodeArchForUname, compareVersions } from './node-runtime.js';
export { planVrrpService, type DesiredFile, type VrrpServicePlan } from './plan.js';
export { vrrpHostStateFact, type VrrpHostState, type InstallManifest } from './host-state.js';
