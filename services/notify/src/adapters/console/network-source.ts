import * as grpc from '@grpc/grpc-js';
import { RoutingServiceClient, type GetNetworkResponse } from '@kera/proto/routing/v1/routing';
import { Profile } from '@kera/proto/traffic/v1/events';

export type NetworkProfile = 'road' | 'sidewalk';

export interface NetworkLayer {
  profile: NetworkProfile;
  trafficVersion: number;
  /** GeoJSON FeatureCollection of LineStrings; properties f / b: forward and backward edge id (-1 none). */
  network: { type: 'FeatureCollection'; features: unknown[] };
  /** [edge id, live time over free-flow time (0 = closed)] for the edges slower than free flow. */
  congestion: [number, number][];
}

const round = (n: number) => Math.round(n * 1e6) / 1e6;

function toFeatures(res: GetNetworkResponse): unknown[] {
  const features: unknown[] = [];
  let p = 0;
  res.pointCounts.forEach((count, g) => {
    const coordinates: [number, number][] = [];
    for (let i = 0; i < count; i++, p++) coordinates.push([round(res.lonE6[p]! / 1e6), round(res.latE6[p]! / 1e6)]);
    features.push({ type: 'Feature', properties: { f: res.forwardEdgeIds[g], b: res.backwardEdgeIds[g] }, geometry: { type: 'LineString', coordinates } });
  });
  return features;
}

/**
 * The street network from routing's GetNetwork: geometry is fixed for a map,
 * so it is converted once per profile; congestion is asked for again when
 * older than `maxAgeMs`.
 */
export function createNetworkSource(options: { address: string; maxAgeMs: number; deadlineMs: number }) {
  const client = new RoutingServiceClient(options.address, grpc.credentials.createInsecure());
  const cache = new Map<NetworkProfile, { at: number; layer: Promise<NetworkLayer> }>();
  const geometry = new Map<NetworkProfile, unknown[]>();

  const fetchLayer = (profile: NetworkProfile): Promise<NetworkLayer> =>
    new Promise((resolve, reject) => {
      const request = { profile: profile === 'road' ? Profile.ROAD : Profile.SIDEWALK };
      client.getNetwork(request, new grpc.Metadata(), { deadline: Date.now() + options.deadlineMs }, (err, res) => {
        if (err) return reject(err);
        let features = geometry.get(profile);
        if (!features) geometry.set(profile, (features = toFeatures(res)));
        const congestion = res.congestedEdgeIds.map((edge, i): [number, number] => [edge, Math.round(res.congestionFactors[i]! * 100) / 100]);
        resolve({ profile, trafficVersion: res.trafficVersion, network: { type: 'FeatureCollection', features }, congestion });
      });
    });

  return {
    layer(profile: NetworkProfile): Promise<NetworkLayer> {
      const hit = cache.get(profile);
      if (hit && Date.now() - hit.at < options.maxAgeMs) return hit.layer;
      const layer = fetchLayer(profile);
      cache.set(profile, { at: Date.now(), layer });
      layer.catch(() => cache.delete(profile));
      return layer;
    },
    close: () => client.close(),
  };
}

export type NetworkSource = ReturnType<typeof createNetworkSource>;
