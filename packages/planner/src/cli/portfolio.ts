/**
 * Runs independent seeds of the same problem on worker threads (one per core by default) and keeps the
 * cheapest plan: the wall-clock budget stays that of one run.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Plan, PlanProblem } from '../model.js';

export interface PortfolioOptions {
  readonly timeLimitMs: number;
  readonly seed: number;
  readonly threads?: number;
  readonly maxIterations?: number;
}

/** Room left for posting the plan back and ending the workers within the caller's budget. */
const HANDBACK_MS = 100;

export async function solvePortfolio(problem: PlanProblem, options: PortfolioOptions): Promise<Plan> {
  const threads = Math.max(1, options.threads ?? availableParallelism());
  // The budget counts from this call, so thread start-up comes out of it rather than on top of it.
  const deadline = Date.now() + options.timeLimitMs - HANDBACK_MS;
  const runs = Array.from({ length: threads }, (_, k) => runWorker(problem, { ...options, seed: options.seed + k }, deadline));
  const plans = await Promise.all(runs);
  return plans.reduce((best, p) => (p.cost < best.cost ? p : best));
}

function runWorker(problem: PlanProblem, options: PortfolioOptions, deadline: number): Promise<Plan> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./solve-worker.js', import.meta.url), { workerData: { problem, options, deadline } });
    worker.once('message', (plan: Plan) => resolve(plan));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`planner worker exited with code ${code}`));
    });
  });
}
