/**
 * Known places in the committed Otaniemi map (Espoo), for demos and end-to-end
 * tests. Each pair routes on its profile with the default snap radius.
 */
export interface DemoPlace {
  readonly lat: number;
  readonly lon: number;
}

export const OTANIEMI = {
  /** Otakaari by the Dipoli/Otaniemi campus centre, on the road network. */
  roadA: { lat: 60.18776, lon: 24.83473 },
  /** Tekniikantie at the south-west of the campus; about 1.3 km by road from roadA. */
  roadB: { lat: 60.18183, lon: 24.82138 },
  /** Campus walkways north of Otakaari, on the sidewalk network. */
  sidewalkA: { lat: 60.1865, lon: 24.827 },
  /** Servin Maijan tie, student housing; about 650 m on foot from sidewalkA. */
  sidewalkB: { lat: 60.18926, lon: 24.83495 },
  /**
   * A stretch of Otakaari that the road route roadA → roadB uses: publish an
   * Observation with this LineString (and a low speed_kmh) and that route slows.
   */
  otakaariLine: [
    { lat: 60.1875, lon: 24.83425 },
    { lat: 60.18719, lon: 24.8336 },
    { lat: 60.18652, lon: 24.83296 },
    { lat: 60.18613, lon: 24.83235 },
  ],
} as const satisfies Record<string, DemoPlace | readonly DemoPlace[]>;
