import { readFileSync } from 'node:fs';
import { readSensorListing, readStationListing, type StationMetadata } from '../../domain/digitraffic/metadata.js';

/** Reads a Digitraffic station listing and sensor listing from files; throws (at start) on anything unusable. */
export function loadStationMetadata(stationsFile: string, sensorsFile: string): StationMetadata {
  return {
    stations: readStationListing(readJson(stationsFile), stationsFile),
    sensors: readSensorListing(readJson(sensorsFile), sensorsFile),
  };
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
  }
}
