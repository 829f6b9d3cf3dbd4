export * from './model.js';
export { solve } from './solve.js';
export { defaultSearch, type SearchParams } from './search.js';
export { defaultRuin, type RuinParams } from './ruin.js';
export { parseVrplib, VrplibError, type VrplibInstance } from './vrplib/parse.js';
export { vrptwProblem, dimacsDistance } from './vrplib/convert.js';
export { checkVrptwSolution, type VrptwCheck } from './vrplib/check.js';
