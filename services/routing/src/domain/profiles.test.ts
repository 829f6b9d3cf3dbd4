import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMaxspeed, wayAccess } from './profiles.js';

describe('sidewalk profile (delivery robots)', () => {
  it('walks footways, sidewalks, pedestrian streets and paths in both directions at about 6 km/h', () => {
    for (const highway of ['footway', 'pedestrian', 'living_street', 'residential', 'service']) {
      assert.deepEqual(wayAccess('sidewalk', { highway, oneway: 'yes' }), { forward: true, backward: true, speedKmh: 6 }, highway);
    }
    assert.equal(wayAccess('sidewalk', { highway: 'footway', footway: 'sidewalk' })?.speedKmh, 6);
    assert.equal(wayAccess('sidewalk', { highway: 'path' })?.speedKmh, 5);
  });

  it('never takes steps or motorways, even when tagged walkable', () => {
    assert.equal(wayAccess('sidewalk', { highway: 'steps' }), null);
    assert.equal(wayAccess('sidewalk', { highway: 'steps', foot: 'yes' }), null);
    assert.equal(wayAccess('sidewalk', { highway: 'motorway', foot: 'yes' }), null);
    assert.equal(wayAccess('sidewalk', { highway: 'motorway_link' }), null);
  });

  it('takes bigger roads and cycleways only with a sidewalk or explicit foot access', () => {
    assert.equal(wayAccess('sidewalk', { highway: 'primary' }), null);
    assert.equal(wayAccess('sidewalk', { highway: 'trunk' }), null);
    assert.ok(wayAccess('sidewalk', { highway: 'primary', sidewalk: 'both' }));
    assert.equal(wayAccess('sidewalk', { highway: 'primary', sidewalk: 'separate' }), null);
    assert.equal(wayAccess('sidewalk', { highway: 'cycleway' }), null);
    assert.ok(wayAccess('sidewalk', { highway: 'cycleway', foot: 'designated' }));
  });

  it('respects foot and access prohibitions', () => {
    assert.equal(wayAccess('sidewalk', { highway: 'footway', foot: 'no' }), null);
    assert.equal(wayAccess('sidewalk', { highway: 'service', access: 'private' }), null);
    assert.ok(wayAccess('sidewalk', { highway: 'service', access: 'private', foot: 'yes' }));
    assert.equal(wayAccess('sidewalk', { highway: 'residential', foot: 'use_sidepath' }), null);
  });
});

describe('road profile (shuttles)', () => {
  it('drives roads with the posted speed or a per-class default', () => {
    assert.deepEqual(wayAccess('road', { highway: 'residential' }), { forward: true, backward: true, speedKmh: 30 });
    assert.equal(wayAccess('road', { highway: 'primary', maxspeed: '70' })?.speedKmh, 70);
    assert.equal(wayAccess('road', { highway: 'tertiary', maxspeed: 'FI:urban' })?.speedKmh, 50);
    assert.equal(wayAccess('road', { highway: 'secondary', maxspeed: 'none' })?.speedKmh, 50);
  });

  it('follows oneway tags, implied oneways and reversed oneways', () => {
    assert.deepEqual(wayAccess('road', { highway: 'tertiary', oneway: 'yes' }), { forward: true, backward: false, speedKmh: 40 });
    assert.deepEqual(wayAccess('road', { highway: 'tertiary', oneway: '-1' }), { forward: false, backward: true, speedKmh: 40 });
    assert.equal(wayAccess('road', { highway: 'motorway' })?.backward, false);
    assert.equal(wayAccess('road', { highway: 'primary', junction: 'roundabout' })?.backward, false);
    assert.equal(wayAccess('road', { highway: 'motorway', oneway: 'no' })?.backward, true);
    assert.equal(wayAccess('road', { highway: 'residential', oneway: 'reversible' }), null);
  });

  it('never drives footways, paths, steps, private roads or areas', () => {
    for (const highway of ['footway', 'path', 'steps', 'cycleway', 'pedestrian', 'track', 'construction']) {
      assert.equal(wayAccess('road', { highway }), null, highway);
    }
    assert.equal(wayAccess('road', { highway: 'service', access: 'private' }), null);
    assert.equal(wayAccess('road', { highway: 'residential', motor_vehicle: 'no' }), null);
    assert.ok(wayAccess('road', { highway: 'residential', access: 'no', motor_vehicle: 'yes' }));
    assert.equal(wayAccess('road', { highway: 'service', area: 'yes' }), null);
  });
});

describe('parseMaxspeed', () => {
  it('reads numbers, units and zone speeds', () => {
    assert.equal(parseMaxspeed('50'), 50);
    assert.equal(parseMaxspeed('50 km/h'), 50);
    assert.ok(Math.abs(parseMaxspeed('30 mph')! - 48.28) < 0.01);
    assert.equal(parseMaxspeed('PT:rural'), 80);
    assert.equal(parseMaxspeed('walk'), 7);
    assert.equal(parseMaxspeed('signals'), null);
    assert.equal(parseMaxspeed('0'), null);
    assert.equal(parseMaxspeed(undefined), null);
  });
});
