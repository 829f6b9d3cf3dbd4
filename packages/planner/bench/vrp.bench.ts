/**
 * `npm run bench:vrp`: solves the Solomon development set (../shared/data/vrp) with a 2 s wall-clock
 * budget per instance on all cores (independent seeds on worker threads, best kept), checks every
 * solution with the independent checker, and compares with the best-known distances in bks.csv.
 * Writes bench/results/vrp.json at the repository root and prints a table.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { routesOf } from '../src/cli/routes.js';
import { createPortfolio, type Portfolio } from '../src/cli/portfolio.js';
import { checkVrptwSolution } from '../src/vrplib/check.js';
import { vrptwProblem } from '../src/vrplib/convert.js';
import { parseVrplib } from '../src/vrplib/parse.js';
import { solve } from '../src/solve.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const DATA = process.env.VRP_DATA ?? findSharedData(ROOT);
const RESULTS = join(ROOT, 'bench', 'results', 'vrp.json');
const TIME_LIMIT_MS = Number(process.env.VRP_TIME_LIMIT_MS ?? 2000);
const SEED = Number(process.env.VRP_SEED ?? 1);

/** ../shared/data/vrp next to the checkout; a worktree sits one level deeper, so look further up too. */
function findSharedData(root: string): string {
  for (let dir = root; dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dirname(dir), 'shared', 'data', 'vrp');
    if (existsSync(join(candidate, 'bks.csv'))) return candidate;
  }
  throw new Error(`no shared/data/vrp above ${root}; set VRP_DATA`);
}

interface Row {
  instance: string; vehicles: number; distance: number; bks: number; bksVehicles: number; gapPct: number; seconds: number;
  iterations: number; feasible: boolean; errors: string[];
  /** Baseline in the same run: greedy cheapest insertion alone (the search's starting plan). */
  greedyGapPct: number;
}

function readBks(): Map<string, { distance: number; vehicles: number }> {
  const lines = readFileSync(join(DATA, 'bks.csv'), 'utf8').trim().split('\n').slice(1);
  return new Map(lines.map((l) => {
    const [name, vehicles, distance] = l.split(',');
    return [name ?? '', { distance: Number(distance), vehicles: Number(vehicles) }];
  }));
}

async function solveOne(portfolio: Portfolio, file: string, bks: { distance: number; vehicles: number }): Promise<Row> {
  const inst = parseVrplib(readFileSync(join(DATA, file), 'utf8'));
  const problem = vrptwProblem(inst);
  const started = performance.now();
  const plan = await portfolio.solve(problem, { timeLimitMs: TIME_LIMIT_MS, seed: SEED });
  const seconds = (performance.now() - started) / 1000;
  const routes = routesOf(plan);
  const check = checkVrptwSolution(inst, routes);
  const greedy = checkVrptwSolution(inst, routesOf(solve(problem, { maxIterations: 0, timeLimitMs: 60_000, seed: SEED })));
  return {
    greedyGapPct: round(100 * (greedy.distance - bks.distance) / bks.distance, 3),
    instance: inst.name, vehicles: routes.length, distance: check.distance, bks: bks.distance, bksVehicles: bks.vehicles,
    gapPct: round(100 * (check.distance - bks.distance) / bks.distance, 3), seconds: round(seconds, 3),
    iterations: plan.iterations, feasible: check.feasible, errors: check.errors.slice(0, 5),
  };
}

/** One short untimed solve so thread start-up and JIT compilation stay out of the first timing. */
async function warmUp(portfolio: Portfolio, file: string | undefined): Promise<void> {
  if (!file) return;
  await portfolio.solve(vrptwProblem(parseVrplib(readFileSync(join(DATA, file), 'utf8'))), { timeLimitMs: 300, seed: SEED });
}

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

async function main(): Promise<void> {
  const bks = readBks();
  const files = readdirSync(DATA).filter((f) => f.endsWith('.vrp')).sort();
  const load = loadavg()[0] ?? 0;
  const rows: Row[] = [];
  // Warm workers, as a service keeps them: the 2 s per instance is search, not thread start-up.
  const portfolio = createPortfolio();
  try {
    await warmUp(portfolio, files[0]);
    for (const file of files) {
      const name = file.replace(/\.vrp$/, '');
      const best = bks.get(name);
      if (!best) throw new Error(`bks.csv has no entry for ${name}`);
      rows.push(await solveOne(portfolio, file, best));
    }
  } finally {
    await portfolio.close();
  }
  const summary = {
    instances: rows.length,
    avgGapPct: round(mean(rows.map((r) => r.gapPct)), 3),
    maxGapPct: round(Math.max(...rows.map((r) => r.gapPct)), 3),
    avgSeconds: round(mean(rows.map((r) => r.seconds)), 3),
    infeasible: rows.filter((r) => !r.feasible).length,
    greedyAvgGapPct: round(mean(rows.map((r) => r.greedyGapPct)), 3),
    timeLimitSeconds: TIME_LIMIT_MS / 1000,
    threads: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    loadAverageAtStart: round(load, 2),
    node: process.version,
    date: new Date().toISOString(),
    results: rows,
  };
  mkdirSync(dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(summary, null, 2)}\n`);
  printTable(rows, summary);
}

function printTable(rows: Row[], s: { avgGapPct: number; maxGapPct: number; avgSeconds: number; infeasible: number; loadAverageAtStart: number; greedyAvgGapPct: number }): void {
  console.log('instance  vehicles  distance       BKS   gap %   seconds  iterations  greedy gap %  feasible');
  for (const r of rows) {
    console.log(`${r.instance.padEnd(8)}  ${String(r.vehicles).padStart(8)}  ${r.distance.toFixed(1).padStart(8)}  ${r.bks.toFixed(1).padStart(8)}  ${r.gapPct.toFixed(2).padStart(6)}  ${r.seconds.toFixed(2).padStart(8)}  ${String(r.iterations).padStart(10)}  ${r.greedyGapPct.toFixed(2).padStart(12)}  ${r.feasible ? 'yes' : `NO: ${r.errors.join('; ')}`}`);
  }
  console.log(`avg gap ${s.avgGapPct.toFixed(2)} %, max gap ${s.maxGapPct.toFixed(2)} %, avg ${s.avgSeconds.toFixed(2)} s, infeasible ${s.infeasible} (greedy insertion alone: avg gap ${s.greedyAvgGapPct.toFixed(2)} %), load average at start ${s.loadAverageAtStart}`);
  console.log(`written to ${RESULTS}`);
}

await main();
