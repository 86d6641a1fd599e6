export { TemplateError } from './errors.js';
export {
  render,
  renderTemplate,
  type TemplateLoader,
  renderString,
  evaluate,
  evaluateCondition,
  evaluateConditions,
  evaluateConditional,
  type ConditionalResult,
  isTemplate,
  templateSyntaxError,
  templateCapabilities,
  OMIT,
} from './engine.js';
export { isUndefined } from './undefined.js';
export { pyTruthy, pyStr, toBool } from './python.js';
