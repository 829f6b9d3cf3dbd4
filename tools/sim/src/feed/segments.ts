/**
 * Streets of the Otaniemi demo map (Espoo) the city feed reports on.
 * Geometry: OpenStreetMap ways from ../shared/data/osm/espoo-otaniemi.osm.pbf,
 * joined end to end and lightly thinned; map data © OpenStreetMap
 * contributors, ODbL 1.0. Positions are GeoJSON [lon, lat], drawn in the way's
 * direction, which NGSI-LD calls "forward".
 */
export interface StreetSegment {
  /** Stable slug; entity ids derive from it. */
  readonly id: string;
  readonly name: string;
  readonly osmWayIds: readonly number[];
  readonly coordinates: ReadonlyArray<readonly [number, number]>;
  /** Posted limit; the feed's free-flow speed. */
  readonly freeFlowKmh: number;
  /** Vehicles per hour one direction carries before it jams. */
  readonly capacityVph: number;
  /** Directions with traffic: one-way streets only run forward. */
  readonly directions: readonly Direction[];
}

export type Direction = 'forward' | 'backward';

const BOTH: readonly Direction[] = ['forward', 'backward'];
const ONE_WAY: readonly Direction[] = ['forward'];

export const OTANIEMI_SEGMENTS: readonly StreetSegment[] = [
  {
    id: 'otaniementie-west',
    name: 'Otaniementie',
    osmWayIds: [78700852, 78700851, 28249376],
    coordinates: [
      [24.81301, 60.18728],
      [24.81329, 60.18725],
      [24.8168, 60.18691],
      [24.81755, 60.18684],
      [24.81897, 60.18671],
      [24.81999, 60.18665],
    ],
    freeFlowKmh: 50,
    capacityVph: 1100,
    directions: BOTH,
  },
  {
    id: 'otaniementie-centre',
    name: 'Otaniementie',
    osmWayIds: [190936023, 82522442],
    coordinates: [
      [24.81999, 60.18665],
      [24.82072, 60.18662],
      [24.82155, 60.18655],
      [24.82206, 60.18647],
      [24.82236, 60.1864],
    ],
    freeFlowKmh: 40,
    capacityVph: 1000,
    directions: BOTH,
  },
  {
    id: 'otaniementie-eastbound',
    name: 'Otaniementie',
    osmWayIds: [166897189],
    coordinates: [
      [24.82543, 60.18516],
      [24.82585, 60.18491],
      [24.82627, 60.18468],
      [24.82686, 60.18442],
      [24.82736, 60.18424],
    ],
    freeFlowKmh: 40,
    capacityVph: 900,
    directions: ONE_WAY,
  },
  {
    id: 'otaniementie-south',
    name: 'Otaniementie',
    osmWayIds: [76730811],
    coordinates: [
      [24.83399, 60.18118],
      [24.83372, 60.1817],
      [24.83334, 60.18211],
      [24.83289, 60.18241],
      [24.83246, 60.18264],
      [24.83179, 60.18299],
      [24.83152, 60.18313],
    ],
    freeFlowKmh: 40,
    capacityVph: 1000,
    directions: BOTH,
  },
  {
    id: 'tietotie',
    name: 'Tietotie',
    osmWayIds: [292087340, 292087341],
    coordinates: [
      [24.81951, 60.18476],
      [24.81995, 60.18494],
      [24.82051, 60.18522],
      [24.82109, 60.18548],
      [24.82162, 60.18572],
      [24.82196, 60.18595],
    ],
    freeFlowKmh: 30,
    capacityVph: 500,
    directions: BOTH,
  },
  {
    id: 'konemiehentie',
    name: 'Konemiehentie',
    osmWayIds: [300068888, 95801289],
    coordinates: [
      [24.82246, 60.18659],
      [24.82266, 60.18686],
      [24.82287, 60.18718],
      [24.82327, 60.18787],
      [24.82355, 60.1883],
      [24.82433, 60.18898],
      [24.82497, 60.18942],
    ],
    freeFlowKmh: 30,
    capacityVph: 400,
    directions: BOTH,
  },
  {
    id: 'otakaari-north',
    name: 'Otakaari',
    osmWayIds: [85512385],
    coordinates: [
      [24.83235, 60.18613],
      [24.8327, 60.18633],
      [24.83296, 60.18652],
      [24.83332, 60.18692],
      [24.83357, 60.18717],
      [24.83425, 60.1875],
    ],
    freeFlowKmh: 40,
    capacityVph: 700,
    directions: BOTH,
  },
  {
    id: 'vuorimiehentie',
    name: 'Vuorimiehentie',
    osmWayIds: [262841560],
    coordinates: [
      [24.82782, 60.18347],
      [24.8276, 60.1833],
      [24.82693, 60.18296],
      [24.82649, 60.18276],
      [24.82519, 60.18215],
      [24.82452, 60.18183],
    ],
    freeFlowKmh: 40,
    capacityVph: 600,
    directions: BOTH,
  },
];
