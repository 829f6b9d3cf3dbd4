/** One portfolio run on a worker thread: solve with the given seed and post the plan back. */
import { parentPort, workerData } from 'node:worker_threads';
import type { PlanProblem } from '../model.js';
import { solve } from '../solve.js';
import type { PortfolioOptions } from './portfolio.js';

const { problem, options, deadline } = workerData as { problem: PlanProblem; options: PortfolioOptions; deadline: number };
const plan = solve(problem, {
  timeLimitMs: Math.max(1, deadline - Date.now()),
  seed: options.seed,
  ...(options.maxIterations === undefined ? {} : { maxIterations: options.maxIterations }),
});
parentPort?.postMessage(plan);
