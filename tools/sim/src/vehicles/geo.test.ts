import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearingDeg, distanceM, pathLengthM, pointAlong, projectOntoPath } from './geo.js';

const otakaari = { lat: 60.1855, lon: 24.829 };
const east = { lat: 60.1855, lon: 24.831 };
const north = { lat: 60.1865, lon: 24.831 };

describe('geo', () => {
  it('measures distances in metres', () => {
    // 0.001° of latitude is about 111 m anywhere.
    assert.ok(Math.abs(distanceM(east, north) - 111.3) < 0.5);
    assert.equal(distanceM(otakaari, otakaari), 0);
  });

  it('gives compass bearings', () => {
    assert.ok(Math.abs(bearingDeg(otakaari, east) - 90) < 0.1);
    assert.ok(bearingDeg(east, north) < 0.1 || bearingDeg(east, north) > 359.9);
  });

  it('finds the point a distance along a polyline, with the heading of its segment', () => {
    const path = [otakaari, east, north];
    const first = distanceM(otakaari, east);
    const onSecond = pointAlong(path, first + 50);
    assert.ok(Math.abs(distanceM(onSecond.position, east) - 50) < 0.5);
    assert.ok(onSecond.headingDeg < 0.1 || onSecond.headingDeg > 359.9);
    assert.deepEqual(pointAlong(path, pathLengthM(path) + 10).position, north);
    assert.deepEqual(pointAlong(path, 0).position, otakaari);
  });

  it('skips a repeated point for the heading, and keeps the heading of the last segment past the end', () => {
    const path = [otakaari, otakaari, east, east];
    assert.ok(Math.abs(pointAlong(path, 0).headingDeg - 90) < 0.1, 'a vehicle starting on a doubled point faces along the street');
    assert.ok(Math.abs(distanceM(pointAlong(path, 40).position, otakaari) - 40) < 0.01);
    const pastTheEnd = pointAlong(path, pathLengthM(path) + 5);
    assert.deepEqual(pastTheEnd.position, east);
    assert.ok(Math.abs(pastTheEnd.headingDeg - 90) < 0.1);
  });

  it('projects a point onto a polyline as the distance along it', () => {
    const path = [otakaari, east, north];
    const nearCorner = { lat: 60.18552, lon: 24.83098 };
    const along = projectOntoPath(path, nearCorner);
    assert.ok(Math.abs(along - distanceM(otakaari, east)) < 3, `got ${along}`);
    assert.equal(projectOntoPath(path, { lat: 60.18, lon: 24.82 }), 0);
  });
});
