/**
 * Reads a VRPLIB CVRPTW instance (the Solomon/Homberger files as CVRPLIB and PyVRP ship them):
 * `KEY : VALUE` headers, then NODE_COORD, DEMAND, TIME_WINDOW, optional SERVICE_TIME and DEPOT sections.
 * Anything missing or unreadable is reported with its line number.
 */
export interface VrplibInstance {
  readonly name: string;
  readonly dimension: number;
  readonly capacity: number;
  readonly vehicles: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly demand: Float64Array;
  readonly early: Float64Array;
  readonly late: Float64Array;
  readonly service: Float64Array;
}

export class VrplibError extends Error {
  readonly code = 'INVALID_VRPLIB';
  constructor(message: string) {
    super(message);
    this.name = 'VrplibError';
  }
}

const SECTIONS = ['NODE_COORD_SECTION', 'DEMAND_SECTION', 'TIME_WINDOW_SECTION', 'SERVICE_TIME_SECTION', 'DEPOT_SECTION'] as const;
type Section = (typeof SECTIONS)[number];
interface Row { readonly line: number; readonly values: readonly string[] }

export function parseVrplib(text: string): VrplibInstance {
  const { headers, sections } = split(text);
  const dimension = positiveInteger(headers, 'DIMENSION');
  const capacity = headerNumber(headers, 'CAPACITY');
  const weights = headers.get('EDGE_WEIGHT_TYPE')?.value ?? 'EUC_2D';
  if (weights !== 'EUC_2D') throw new VrplibError(`EDGE_WEIGHT_TYPE ${weights} is not supported (only EUC_2D)`);
  const vehicles = headers.has('VEHICLES') ? positiveInteger(headers, 'VEHICLES') : dimension - 1;
  const coords = table(sections, 'NODE_COORD_SECTION', dimension, 2);
  const windows = table(sections, 'TIME_WINDOW_SECTION', dimension, 2);
  const service = sections.has('SERVICE_TIME_SECTION')
    ? column(table(sections, 'SERVICE_TIME_SECTION', dimension, 1), 0)
    : new Float64Array(dimension).fill(headers.has('SERVICE_TIME') ? headerNumber(headers, 'SERVICE_TIME') : 0);
  checkDepot(sections);
  service[0] = 0;
  const early = column(windows, 0);
  const late = column(windows, 1);
  for (let i = 0; i < dimension; i++) {
    if ((early[i] as number) > (late[i] as number)) throw new VrplibError(`TIME_WINDOW_SECTION: node ${i + 1} closes (${late[i]}) before it opens (${early[i]})`);
  }
  return {
    name: headers.get('NAME')?.value ?? 'unnamed', dimension, capacity, vehicles,
    x: column(coords, 0), y: column(coords, 1),
    demand: column(table(sections, 'DEMAND_SECTION', dimension, 1), 0),
    early, late, service,
  };
}

function split(text: string): { headers: Map<string, { value: string; line: number }>; sections: Map<Section, Row[]> } {
  const headers = new Map<string, { value: string; line: number }>();
  const sections = new Map<Section, Row[]>();
  let current: Row[] | null = null;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line === 'EOF') return;
    const section = SECTIONS.find((s) => line.toUpperCase() === s);
    if (section) {
      current = [];
      sections.set(section, current);
      return;
    }
    const header = /^([A-Z_]+)\s*:\s*(.*)$/i.exec(line);
    if (header && !/^[-+\d.]/.test(line)) {
      headers.set((header[1] ?? '').toUpperCase(), { value: (header[2] ?? '').trim(), line: i + 1 });
      current = null;
      return;
    }
    if (!current) throw new VrplibError(`line ${i + 1}: data outside any section: "${line.slice(0, 40)}"`);
    (current as Row[]).push({ line: i + 1, values: line.split(/\s+/) });
  });
  return { headers, sections };
}

function headerNumber(headers: Map<string, { value: string; line: number }>, key: string): number {
  const h = headers.get(key);
  if (!h) throw new VrplibError(`missing header ${key}`);
  const n = Number(h.value);
  if (h.value === '' || !Number.isFinite(n) || n < 0) throw new VrplibError(`line ${h.line}: ${key} is not a non-negative number: "${h.value}"`);
  return n;
}

function positiveInteger(headers: Map<string, { value: string; line: number }>, key: string): number {
  const n = headerNumber(headers, key);
  if (!Number.isInteger(n) || n < 1) throw new VrplibError(`line ${headers.get(key)?.line}: ${key} must be a positive integer, got ${n}`);
  return n;
}

/** Rows `1..dimension` of a section, each with an id and `width` numbers, every node exactly once. */
function table(sections: Map<Section, Row[]>, name: Section, dimension: number, width: number): Float64Array[] {
  const rows = sections.get(name);
  if (!rows) throw new VrplibError(`missing ${name}`);
  const out: (Float64Array | undefined)[] = new Array(dimension);
  for (const row of rows) {
    if (row.values.length !== width + 1) throw new VrplibError(`line ${row.line}: ${name} expects a node id and ${width} number(s), got "${row.values.join(' ')}"`);
    const [id, ...rest] = row.values.map(Number);
    if (!Number.isInteger(id) || (id as number) < 1 || (id as number) > dimension) throw new VrplibError(`line ${row.line}: ${name} node id ${row.values[0]} is not in 1..${dimension}`);
    if (rest.some((v) => !Number.isFinite(v))) throw new VrplibError(`line ${row.line}: ${name} has a value that is not a number: "${row.values.join(' ')}"`);
    if (out[(id as number) - 1]) throw new VrplibError(`line ${row.line}: ${name} lists node ${id} twice`);
    out[(id as number) - 1] = Float64Array.from(rest);
  }
  const missing = out.findIndex((r) => r === undefined);
  if (missing >= 0 || out.length < dimension) throw new VrplibError(`${name} has no row for node ${missing + 1} (DIMENSION is ${dimension})`);
  return out as Float64Array[];
}

const column = (rows: Float64Array[], k: number): Float64Array => Float64Array.from(rows, (r) => r[k] as number);

function checkDepot(sections: Map<Section, Row[]>): void {
  const rows = sections.get('DEPOT_SECTION');
  if (!rows || rows.length === 0) throw new VrplibError('missing DEPOT_SECTION (no depot)');
  const depots = rows.map((r) => r.values[0]).filter((v) => v !== '-1');
  if (depots.length !== 1) throw new VrplibError(`DEPOT_SECTION must name exactly one depot, got ${depots.length}`);
  if (depots[0] !== '1') throw new VrplibError(`DEPOT_SECTION: the depot must be node 1 (as in the Solomon files), got ${depots[0]}`);
}
