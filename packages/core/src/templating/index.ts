export { TemplateError } from './errors.js';
export {
  render,
  renderString,
  evaluate,
  evaluateCondition,
  evaluateConditions,
  isTemplate,
  templateSyntaxError,
  templateCapabilities,
  OMIT,
} from './engine.js';
export { isUndefined } from './undefined.js';
export { pyTruthy, pyStr, toBool } from './python.js';
