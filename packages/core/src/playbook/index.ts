export { readPlaybook, loadPlaybook, playPositionsOf, type LoadPlaybookOptions, type PlaybookLoad, type PlayPositions } from './load.js';
export { taskPositions, walkTasks, type TaskPositions } from './positions.js';
export { parseYaml, readYaml, posOf, toJS, rootOf, YAML_OPTIONS, type YamlSource } from './yaml-source.js';
export { PLAY_KEYWORDS, TASK_KEYWORDS, BLOCK_KEYWORDS, HANDLER_KEYWORDS } from './keywords.js';
export { splitArgs, parseKv, joinArgs, unquote, ArgsSyntaxError, FREE_FORM_OPTIONS, isFreeFormModule, acceptsRawParams, shortModuleName } from './kv-args.js';
