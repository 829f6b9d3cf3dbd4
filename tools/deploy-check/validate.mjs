#!/usr/bin/env node
/**
 * Validates rendered Kubernetes manifests without a cluster:
 *  1. every object against its schema (kubernetes-models; the Prometheus Operator's for
 *     ServiceMonitor/PrometheusRule); a kind without a schema is a problem, not a pass;
 *  2. fields the schema does not know (the schemas accept them silently; the API server would
 *     reject or drop them, e.g. a misspelt `readinesProbe` would simply be no probe);
 *  3. Kera's own rules (policy.mjs): hardening, probes, shutdown budget, fleet present.
 *
 *   node tools/deploy-check/validate.mjs rendered-dev.yaml rendered-prod.yaml
 *
 * Prints one line per problem and exits 1 if there is any.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { policyProblems } from './policy.mjs';

/** Module holding the model classes of an apiVersion, or undefined when none is installed. */
function modelModule(apiVersion) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group === '') return `kubernetes-models/${version}`;
  if (group === 'monitoring.coreos.com') return `@kubernetes-models/prometheus-operator/${group}/${version}`;
  return `kubernetes-models/${group}/${version}`;
}

async function modelFor(apiVersion, kind) {
  try {
    const models = await import(modelModule(apiVersion));
    return models[kind];
  } catch (err) {
    if (err?.code === 'ERR_PACKAGE_PATH_NOT_EXPORTED' || err?.code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw err;
  }
}

/** Parses multi-document YAML; syntax errors become problems. */
export function parseManifests(text, source) {
  const objects = [];
  const problems = [];
  for (const doc of parseAllDocuments(text)) {
    for (const error of doc.errors) problems.push(`${source}: YAML: ${error.message}`);
    const object = doc.toJS();
    if (object !== null && object !== undefined) objects.push({ source, object });
  }
  return { objects, problems };
}

const describe = ({ source, object }) => `${source}: ${object?.kind ?? '?'}/${object?.metadata?.name ?? '?'}`;

function schemaErrors(Model, object) {
  try {
    new Model(object).validate();
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * A field is known when the schema constrains it: with its value replaced by a BigInt (a type no
 * schema accepts) a valid object stops validating. Free-form maps (labels, ConfigMap data) count as
 * known, their values being typed. Stops at unknown fields; descends into known ones.
 */
function unknownFields(Model, object) {
  const unknown = [];
  const constrained = (path) => {
    const probe = JSON.parse(JSON.stringify(object));
    let parent = probe;
    for (const key of path.slice(0, -1)) parent = parent[key];
    parent[path.at(-1)] = 0n;
    return schemaErrors(Model, probe) !== undefined;
  };
  const visit = (node, path) => {
    if (Array.isArray(node)) {
      node.forEach((item, index) => visit(item, [...path, index]));
    } else if (node !== null && typeof node === 'object') {
      for (const key of Object.keys(node)) {
        const at = [...path, key];
        if (constrained(at)) visit(node[key], at);
        else unknown.push(at.join('.'));
      }
    }
  };
  visit(object, []);
  return unknown;
}

/** Schema and unknown-field problems of parsed objects. */
export async function schemaProblems(objects) {
  const problems = [];
  for (const entry of objects) {
    const { object } = entry;
    if (typeof object?.apiVersion !== 'string' || typeof object?.kind !== 'string') {
      problems.push(`${describe(entry)}: no apiVersion/kind`);
      continue;
    }
    const Model = await modelFor(object.apiVersion, object.kind);
    if (!Model) {
      problems.push(`${describe(entry)}: no schema for ${object.apiVersion} ${object.kind} (add its kubernetes-models package)`);
      continue;
    }
    const errors = schemaErrors(Model, object);
    if (errors) {
      problems.push(`${describe(entry)}: schema: ${errors}`);
      continue;
    }
    for (const field of unknownFields(Model, object)) problems.push(`${describe(entry)}: unknown field ${field}`);
  }
  return problems;
}

/** Every problem of one rendered file: YAML, schema, unknown fields, Kera policy. */
export async function validateRendered(text, source) {
  const { objects, problems } = parseManifests(text, source);
  if (objects.length === 0) problems.push(`${source}: no objects rendered`);
  return [...problems, ...(await schemaProblems(objects)), ...policyProblems(objects)];
}

async function main(files) {
  if (files.length === 0) {
    process.stderr.write('usage: validate.mjs <rendered.yaml>...\n');
    return 2;
  }
  let failed = false;
  for (const file of files) {
    const problems = await validateRendered(await readFile(file, 'utf8'), basename(file));
    for (const problem of problems) process.stdout.write(`  ✗ ${problem}\n`);
    process.stdout.write(problems.length === 0 ? `  ✓ ${basename(file)}: schemas, fields and policy ok\n` : '');
    failed ||= problems.length > 0;
  }
  return failed ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2));
}
