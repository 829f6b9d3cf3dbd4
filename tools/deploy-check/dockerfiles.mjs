#!/usr/bin/env node
/**
 * Checks what no Docker engine is here to check by building:
 *  - deploy/docker/Dockerfile copies the manifest of every npm workspace before `npm ci`
 *    (a missing one makes `npm ci` fail in the image; an extra one names a package that is gone);
 *  - each services/<name>/Dockerfile ends with the same instructions as the shared file's <name>
 *    target, so the two ways to build an image give the same image;
 *  - every start command points at a compiled entry point that has a source file;
 *  - every docker-compose.yml build target exists in the shared Dockerfile.
 *
 *   node tools/deploy-check/dockerfiles.mjs      (from the repository root)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';

const SHARED = 'deploy/docker/Dockerfile';

/** Instructions of a Dockerfile (continuations joined, comments dropped), grouped by stage. */
export function parseDockerfile(text) {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const stages = [];
  for (const line of lines) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) stages.push({ base: from[1], name: from[2]?.toLowerCase(), instructions: [] });
    else stages.at(-1)?.instructions.push(line.replace(/\s+/g, ' '));
  }
  return stages;
}

/** Workspace directories, with the "dir/*" patterns of package.json expanded. */
export function workspaceDirs(root) {
  const { workspaces = [] } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return workspaces.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [pattern];
    const parent = pattern.slice(0, -2);
    return readdirSync(join(root, parent), { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(root, parent, d.name, 'package.json')))
      .map((d) => `${parent}/${d.name}`);
  });
}

function manifestProblems(root, build) {
  const copied = new Set(
    build.instructions.flatMap((i) => /^COPY (\S+)\/package\.json \S+$/.exec(i)?.[1] ?? []),
  );
  const expected = new Set(workspaceDirs(root));
  return [
    ...[...expected].filter((d) => !copied.has(d)).map((d) => `${SHARED}: build stage does not copy ${d}/package.json before npm ci`),
    ...[...copied].filter((d) => !expected.has(d)).map((d) => `${SHARED}: build stage copies ${d}/package.json, which is not a workspace`),
  ];
}

function entryPointProblems(root, stages) {
  return stages.flatMap((stage) => {
    const cmd = stage.instructions.find((i) => i.startsWith('CMD '));
    if (!cmd) return [];
    const script = JSON.parse(cmd.slice(4)).find((arg) => arg.endsWith('.js'));
    const source = script?.replace('/dist/src/', '/src/').replace(/\.js$/, '.ts');
    return source && existsSync(join(root, source)) ? [] : [`${SHARED}: target ${stage.name} starts ${script}, but ${source} does not exist`];
  });
}

function serviceDockerfileProblems(root, stages) {
  return readdirSync(join(root, 'services'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap(({ name }) => {
      const path = `services/${name}/Dockerfile`;
      const target = stages.find((s) => s.name === name);
      if (!target) return [`${SHARED}: no target for service ${name}`];
      if (!existsSync(join(root, path))) return [`${path} is missing`];
      const own = parseDockerfile(readFileSync(join(root, path), 'utf8')).at(-1);
      const same = JSON.stringify(own?.instructions) === JSON.stringify(target.instructions);
      return same ? [] : [`${path}: its instructions differ from target ${name} of ${SHARED}`];
    });
}

function composeProblems(root, stages) {
  const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true });
  return Object.entries(compose.services ?? {}).flatMap(([service, spec]) => {
    const build = spec?.build;
    if (!build) return [];
    if (build.dockerfile !== SHARED) return [`docker-compose.yml: ${service} builds ${build.dockerfile}, not ${SHARED}`];
    return stages.some((s) => s.name === build.target) ? [] : [`docker-compose.yml: ${service} builds target ${build.target}, which ${SHARED} lacks`];
  });
}

export function dockerProblems(root) {
  const stages = parseDockerfile(readFileSync(join(root, SHARED), 'utf8'));
  const build = stages.find((s) => s.name === 'build');
  if (!build) return [`${SHARED}: no build stage`];
  return [
    ...manifestProblems(root, build),
    ...entryPointProblems(root, stages),
    ...serviceDockerfileProblems(root, stages),
    ...composeProblems(root, stages),
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const problems = dockerProblems(process.cwd());
  for (const problem of problems) process.stdout.write(`  ✗ ${problem}\n`);
  if (problems.length === 0) process.stdout.write('  ✓ Dockerfiles and docker-compose.yml build targets agree with the workspace\n');
  process.exitCode = problems.length === 0 ? 0 : 1;
}
