import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHECK = fileURLToPath(new URL('./check.sh', import.meta.url));

/**
 * The real deployment as the test command sees it: every kustomize overlay
 * rendered and validated (schemas, Kera's rules, the prod policy),
 * docker-compose.yml and the Dockerfiles — the same run as `npm run check:deploy`.
 */
describe('deployment checks', () => {
  it('renders every overlay and finds nothing wrong with it, compose or the Dockerfiles', () => {
    const run = spawnSync('bash', [CHECK], { encoding: 'utf8', timeout: 180_000 });
    const output = `${run.stdout}${run.stderr}`;
    assert.equal(run.status, 0, `check.sh failed:\n${output}`);
    assert.match(output, /kubectl kustomize deploy\/k8s\/overlays\/dev\//);
    assert.match(output, /kubectl kustomize deploy\/k8s\/overlays\/prod\//);
    assert.match(output, /all deployment checks passed/);
  });
});
