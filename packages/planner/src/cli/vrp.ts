/**
 * `npm run vrp -- --instance FILE.vrp --time-limit-s 2 --json`: solves a VRPLIB CVRPTW instance under the
 * DIMACS convention and prints {"vehicles", "distance", "routes"} on one line (routes by 0-based node
 * index, depot 0, as in the .sol files). Bad arguments or a malformed file exit 2 with the reason.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { checkVrptwSolution } from '../vrplib/check.js';
import { vrptwProblem } from '../vrplib/convert.js';
import { parseVrplib, VrplibError } from '../vrplib/parse.js';
import { solvePortfolio } from './portfolio.js';
import { routesOf } from './routes.js';

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      instance: { type: 'string' }, 'time-limit-s': { type: 'string', default: '2' }, json: { type: 'boolean', default: false },
      seed: { type: 'string', default: '1' }, threads: { type: 'string' },
    },
  });
  if (!values.instance) return fail('--instance FILE.vrp is required');
  const seconds = Number(values['time-limit-s']);
  if (!(seconds > 0)) return fail(`--time-limit-s must be a positive number of seconds, got "${values['time-limit-s']}"`);
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) return fail(`--seed must be an integer, got "${values.seed}"`);
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) return fail(`--threads must be a positive integer, got "${values.threads}"`);
  let text: string;
  try {
    text = readFileSync(values.instance, 'utf8');
  } catch (err) {
    return fail(`cannot read ${values.instance}: ${(err as Error).message}`);
  }
  const inst = parseVrplib(text);
  const plan = await solvePortfolio(vrptwProblem(inst), {
    timeLimitMs: seconds * 1000, seed,
    ...(threads === undefined ? {} : { threads }),
  });
  const routes = routesOf(plan);
  const check = checkVrptwSolution(inst, routes);
  const result = { vehicles: routes.length, distance: check.distance, routes };
  if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${inst.name}: ${result.vehicles} vehicles, distance ${result.distance}\n${routes.map((r, i) => `Route #${i + 1}: ${r.join(' ')}`).join('\n')}\n`);
  if (!check.feasible) return fail(`solution failed the feasibility check: ${check.errors.join('; ')}`);
  return 0;
}

function fail(message: string): number {
  process.stderr.write(`vrp: ${message}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    process.exitCode = fail(err instanceof VrplibError ? `malformed instance: ${err.message}` : err instanceof Error ? err.message : String(err));
  },
);
