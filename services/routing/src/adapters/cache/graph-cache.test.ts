import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DEFAULT_MAP_PATH } from '../../config.js';
import { TOPOLOGY_ARRAY_FIELDS } from '../../domain/cch/topology.js';
import { GRAPH_ARRAY_FIELDS } from '../../domain/graph.js';
import { cacheKey, loadNetworks } from '../osm/network-loader.js';
import { polygon } from '@turf/helpers';
import { noGoZonesFromGeoJson } from '../../domain/no-go.js';

const dir = mkdtempSync(join(tmpdir(), 'routing-cache-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('graph cache', () => {
  it('builds from the map once, then restarts from the cache with identical graphs', () => {
    const first = loadNetworks({ mapPath: DEFAULT_MAP_PATH, cacheDir: dir });
    assert.deepEqual(first.origin, { sidewalk: 'built', road: 'built' });
    const second = loadNetworks({ mapPath: DEFAULT_MAP_PATH, cacheDir: dir });
    assert.deepEqual(second.origin, { sidewalk: 'cache', road: 'cache' });
    for (const profile of ['road', 'sidewalk'] as const) {
      const a = first.networks[profile];
      const b = second.networks[profile];
      for (const field of GRAPH_ARRAY_FIELDS) assert.deepEqual(b.graph[field], a.graph[field], `${profile}.${field}`);
      assert.deepEqual(b.landmarks.fromLandmark, a.landmarks.fromLandmark);
      assert.deepEqual(b.landmarks.toLandmark, a.landmarks.toLandmark);
      assert.equal(b.graph.nodeCount, a.graph.nodeCount);
      // The hierarchy comes back too: nothing is re-ordered or re-contracted on a restart.
      for (const field of TOPOLOGY_ARRAY_FIELDS) {
        assert.deepEqual(b.hierarchy.topology[field], a.hierarchy.topology[field], `${profile}.hierarchy.${field}`);
      }
      assert.equal(b.hierarchy.topology.edgeCount, a.hierarchy.topology.edgeCount);
    }
  });

  it('rebuilds graph and hierarchy when the map file at the same path changes', () => {
    const mapPath = join(dir, 'map.osm.pbf');
    copyFileSync(DEFAULT_MAP_PATH, mapPath);
    // Same bytes as the map loaded above, under another name: the cache serves it.
    assert.equal(loadNetworks({ mapPath, cacheDir: dir, profiles: ['road'] }).origin.road, 'cache');
    // Append a block of a type readers skip: other bytes, same streets.
    const header = Buffer.from([0x0a, 0x04, ...Buffer.from('Test'), 0x18, 0x00]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(header.length);
    writeFileSync(mapPath, Buffer.concat([readFileSync(mapPath), length, header]));
    const changed = loadNetworks({ mapPath, cacheDir: dir, profiles: ['road'] });
    assert.equal(changed.origin.road, 'built');
    assert.equal(loadNetworks({ mapPath, cacheDir: dir, profiles: ['road'] }).origin.road, 'cache');
  });

  it('keys the cache by map contents and no-go zones, and rebuilds over a damaged file', () => {
    const sha = loadNetworks({ mapPath: DEFAULT_MAP_PATH, cacheDir: dir, profiles: ['road'] }).mapSha256;
    assert.equal(sha, '30179a578cf04f189ebdc68b1316107cf4ad1b0b3c020129e49047ab4690b27d');
    const zone = noGoZonesFromGeoJson(polygon([[[24.82, 60.18], [24.83, 60.18], [24.83, 60.19], [24.82, 60.18]]], { name: 'z' }));
    assert.notEqual(cacheKey(sha, 'road', []), cacheKey(sha, 'road', zone));
    writeFileSync(join(dir, `${cacheKey(sha, 'road', [])}.graph`), 'garbage');
    const rebuilt = loadNetworks({ mapPath: DEFAULT_MAP_PATH, cacheDir: dir, profiles: ['road'] });
    assert.equal(rebuilt.origin.road, 'built');
    assert.ok(rebuilt.networks.road.graph.nodeCount > 0);
  });
});
