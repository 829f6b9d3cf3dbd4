/** A portfolio worker: solves each problem it is sent with the given seed until the shared deadline. */
import { parentPort } from 'node:worker_threads';
import type { PlanProblem } from '../model.js';
import { solve } from '../solve.js';
import type { PortfolioOptions } from './portfolio.js';

parentPort?.on('message', ({ problem, options, deadline }: { problem: PlanProblem; options: PortfolioOptions; deadline: number }) => {
  try {
    const plan = solve(problem, {
      timeLimitMs: Math.max(1, deadline - Date.now()),
      seed: options.seed,
      ...(options.maxIterations === undefined ? {} : { maxIterations: options.maxIterations }),
    });
    parentPort?.postMessage({ plan });
  } catch (err) {
    parentPort?.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
});
