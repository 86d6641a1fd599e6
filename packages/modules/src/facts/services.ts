// Moved to @haweb/hostkit (one host kit for the modules and every installer); kept so imports stay.
export { type ServiceFacts, type ServiceArgs, serviceCommand, parseServiceFacts, serviceFacts } from '@haweb/hostkit';
