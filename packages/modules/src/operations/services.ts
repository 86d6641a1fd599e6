// Moved to @haweb/hostkit (one host kit for the modules and every installer); kept so imports stay.
export { type ServiceState, type ServicePlanArgs, type ServicePlan, ServicePlanError, planService } from '@haweb/hostkit';
