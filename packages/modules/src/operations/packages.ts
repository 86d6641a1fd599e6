// Moved to @haweb/hostkit (one host kit for the modules and every installer); kept so imports stay.
export { type PackagePlanArgs, type PackagePlan, planPackages } from '@haweb/hostkit';
