import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkVrptwSolution } from './check.js';
import { dimacsDistance, vrptwProblem } from './convert.js';
import { parseVrplib, VrplibError } from './parse.js';

/** Depot at the origin, four customers at the corners of a 10×10 square; capacity fits two at a time. */
const TINY = `NAME : TINY
TYPE : CVRPTW
DIMENSION : 5
VEHICLES : 3
CAPACITY : 20
SERVICE_TIME : 5
EDGE_WEIGHT_TYPE : EUC_2D
NODE_COORD_SECTION
1 0 0
2 10 0
3 10 10
4 0 10
5 -7 -7
DEMAND_SECTION
1 0
2 10
3 10
4 10
5 5
TIME_WINDOW_SECTION
1 0 200
2 0 50
3 0 60
4 0 100
5 40 60
DEPOT_SECTION
1
-1
EOF
`;

describe('VRPLIB reader', () => {
  it('reads headers, sections and the depot', () => {
    const inst = parseVrplib(TINY);
    assert.equal(inst.name, 'TINY');
    assert.equal(inst.dimension, 5);
    assert.equal(inst.capacity, 20);
    assert.equal(inst.vehicles, 3);
    assert.deepEqual([...inst.service], [0, 5, 5, 5, 5]);
    assert.deepEqual([...inst.late], [200, 50, 60, 100, 60]);
  });

  it('truncates distances to one decimal (DIMACS) and scales them to tenths', () => {
    const inst = parseVrplib(TINY);
    assert.equal(dimacsDistance(inst, 0, 2), 141, '√200 = 14.142… → 14.1');
    assert.equal(dimacsDistance(inst, 0, 4), 98, '√98 = 9.899… → 9.8');
    const problem = vrptwProblem(inst);
    assert.equal(problem.jobs.length, 4);
    assert.deepEqual(problem.jobs[3]?.delivery, { location: 4, serviceTime: 50, earliest: 400, latest: 600 });
  });

  const malformed: [string, string, RegExp][] = [
    ['a missing section', TINY.replace(/TIME_WINDOW_SECTION[\s\S]*?DEPOT_SECTION/, 'DEPOT_SECTION'), /missing TIME_WINDOW_SECTION/],
    ['a bad number', TINY.replace('3 10 10', '3 10 ten'), /line 11: NODE_COORD_SECTION has a value that is not a number/],
    ['no depot', TINY.replace(/DEPOT_SECTION\n1\n-1\n/, ''), /missing DEPOT_SECTION/],
    ['a missing node', TINY.replace('4 10\n', ''), /DEMAND_SECTION has no row for node 4/],
    ['a node twice', TINY.replace('4 0 100', '3 0 100'), /TIME_WINDOW_SECTION lists node 3 twice/],
    ['a node out of range', TINY.replace('5 -7 -7', '9 -7 -7'), /node id 9 is not in 1\.\.5/],
    ['no capacity', TINY.replace('CAPACITY : 20\n', ''), /missing header CAPACITY/],
    ['a window that closes before it opens', TINY.replace('5 40 60', '5 60 40'), /node 5 closes \(40\) before it opens \(60\)/],
    ['an unsupported distance', TINY.replace('EUC_2D', 'EXPLICIT'), /EDGE_WEIGHT_TYPE EXPLICIT is not supported/],
  ];
  for (const [what, text, message] of malformed) {
    it(`rejects ${what} with a precise message`, () => {
      assert.throws(() => parseVrplib(text), (err: unknown) => err instanceof VrplibError && message.test(err.message));
    });
  }
});

describe('VRPTW feasibility checker', () => {
  const inst = parseVrplib(TINY);
  it('accepts a feasible solution and totals its DIMACS distance', () => {
    const check = checkVrptwSolution(inst, [[1, 2], [3, 4]]);
    assert.deepEqual(check.errors, []);
    assert.equal(check.distance, 72.2, '10 + 10 + 14.1 and 10 + 18.3 + 9.8');
  });
  const bad: [string, number[][], RegExp][] = [
    ['a customer left out', [[1, 2], [3]], /customer 4 is not visited/],
    ['a customer twice', [[1, 2], [3, 4, 2]], /customer 2 is visited twice/],
    ['the depot inside a route', [[1, 0, 2], [3, 4]], /0 is not a customer/],
    ['an overloaded vehicle', [[1, 2, 3], [4]], /load 30 exceeds capacity 20/],
    ['a missed window', [[4, 2], [1, 3]], /customer 2 starts at 69, after 60/],
    ['too many vehicles', [[1], [2], [3], [4]], /4 routes but only 3 vehicles/],
  ];
  for (const [what, routes, message] of bad) {
    it(`rejects ${what}`, () => {
      const check = checkVrptwSolution(inst, routes);
      assert.equal(check.feasible, false);
      assert.ok(check.errors.some((e) => message.test(e)), check.errors.join('; '));
    });
  }
  it('rejects a return to the depot after it closes', () => {
    const late = parseVrplib(TINY.replace('1 0 200', '1 0 50'));
    assert.ok(checkVrptwSolution(late, [[1, 2], [3, 4]]).errors.some((e) => /route 2: back at the depot at 54.8, after 50/.test(e)));
  });
});

describe('vrp command', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kera-vrp-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const cli = fileURLToPath(new URL('../cli/vrp.js', import.meta.url));
  const run = (file: string, ...args: string[]) => spawnSync(process.execPath, [cli, '--instance', file, '--time-limit-s', '0.3', ...args], { encoding: 'utf8' });

  it('prints one JSON line with the routes in .sol numbering', () => {
    const file = join(dir, 'tiny.vrp');
    writeFileSync(file, TINY);
    const out = run(file, '--json', '--threads', '1');
    assert.equal(out.status, 0, out.stderr);
    const lines = out.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    const result = JSON.parse(lines[0] ?? '') as { vehicles: number; distance: number; routes: number[][] };
    assert.equal(result.vehicles, result.routes.length);
    assert.deepEqual(result.routes.flat().sort(), [1, 2, 3, 4]);
    assert.equal(checkVrptwSolution(parseVrplib(TINY), result.routes).distance, result.distance);
  });

  it('exits non-zero with the reason on a malformed file', () => {
    const file = join(dir, 'broken.vrp');
    writeFileSync(file, TINY.replace('3 10 10', '3 10 ten'));
    const out = run(file, '--json');
    assert.equal(out.status, 2);
    assert.equal(out.stdout, '');
    assert.match(out.stderr, /vrp: malformed instance: line 11: NODE_COORD_SECTION has a value that is not a number/);
  });

  it('exits non-zero on bad arguments', () => {
    const file = join(dir, 'tiny.vrp');
    assert.match(run(file, '--threads', 'two').stderr, /--threads must be a positive integer, got "two"/);
    const noLimit = spawnSync(process.execPath, [cli, '--instance', file, '--time-limit-s', '0'], { encoding: 'utf8' });
    assert.equal(noLimit.status, 2);
    assert.match(noLimit.stderr, /--time-limit-s must be a positive number of seconds/);
  });

  it('exits non-zero when the file does not exist', () => {
    const out = run(join(dir, 'nope.vrp'));
    assert.equal(out.status, 2);
    assert.match(out.stderr, /cannot read .*nope\.vrp/);
  });
});
