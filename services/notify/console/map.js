// The map: street network as GeoJSON vector layers (no tiles), congestion,
// incidents, vehicles coloured by state with battery, and order routes.
const STATUS_COLOURS = { IDLE: '#3fb950', EN_ROUTE: '#58a6ff', CHARGING: '#d29922', ERROR: '#f85149', PAUSED: '#a371f7', OFFLINE: '#6e7681' };
const STYLE = { road: { color: '#3d4a5c', weight: 3 }, sidewalk: { color: '#2a3340', weight: 1.2 } };

const congestionColour = (factor) => (factor === 0 ? '#a371f7' : factor >= 2 ? '#f85149' : factor >= 1.4 ? '#f0883e' : '#d29922');

export function createMap(element) {
  const map = L.map(element, { zoomControl: true, preferCanvas: false, attributionControl: true }).setView([60.186, 24.829], 15);
  map.attributionControl.setPrefix('Leaflet');
  map.attributionControl.addAttribution('Map data © <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors (ODbL)');
  const layers = {
    network: L.layerGroup().addTo(map),
    congestion: L.layerGroup().addTo(map),
    incidents: L.layerGroup().addTo(map),
    routes: L.layerGroup().addTo(map),
    vehicles: L.layerGroup().addTo(map),
  };
  const edgeGeometry = new Map();
  const vehicles = new Map();
  const routes = new Map();
  const incidents = new Map();
  let fitted = false;

  function setNetwork(layer) {
    const geo = L.geoJSON(layer.network, { style: STYLE[layer.profile], interactive: false, className: `network-${layer.profile}` });
    geo.addTo(layers.network);
    for (const feature of layer.network.features) {
      const coords = feature.geometry.coordinates.map(([lon, lat]) => [lat, lon]);
      if (feature.properties.f >= 0) edgeGeometry.set(`${layer.profile}:${feature.properties.f}`, coords);
      if (feature.properties.b >= 0) edgeGeometry.set(`${layer.profile}:${feature.properties.b}`, coords);
    }
    if (!fitted && layer.profile === 'road' && layer.network.features.length > 0) {
      map.fitBounds(geo.getBounds(), { padding: [10, 10] });
      fitted = true;
    }
    setCongestion(layer);
  }

  const congestionLayers = { road: L.layerGroup().addTo(layers.congestion), sidewalk: L.layerGroup().addTo(layers.congestion) };
  function setCongestion(layer) {
    const group = congestionLayers[layer.profile];
    group.clearLayers();
    for (const [edge, factor] of layer.congestion) {
      const coords = edgeGeometry.get(`${layer.profile}:${edge}`);
      if (coords) L.polyline(coords, { color: congestionColour(factor), weight: 4, opacity: 0.85, className: 'congestion' }).bindTooltip(factor === 0 ? 'closed' : `×${factor} travel time`).addTo(group);
    }
  }

  function setVehicle(v) {
    if (!v.position) return;
    const colour = STATUS_COLOURS[v.status] ?? '#6e7681';
    const label = `${v.id} · ${Math.round(v.batteryPct)}%`;
    let marker = vehicles.get(v.id);
    if (!marker) {
      marker = L.circleMarker([v.position.lat, v.position.lon], { radius: v.kind === 'SHUTTLE' ? 9 : 7, weight: 2, color: '#0d1117', fillOpacity: 1, className: 'vehicle-marker' });
      // Labels stay on while the fleet is small enough to read them; otherwise on hover.
      marker.bindTooltip(label, { permanent: vehicles.size < 40, direction: 'right', offset: [8, 0], className: 'vehicle-label' });
      marker.addTo(layers.vehicles);
      vehicles.set(v.id, marker);
    }
    marker.setLatLng([v.position.lat, v.position.lon]);
    marker.setStyle({ fillColor: colour });
    marker.setTooltipContent(label);
    marker.getElement()?.setAttribute('data-vehicle-id', v.id);
    marker.getElement()?.setAttribute('data-status', v.status);
  }

  function setRoute(r) {
    routes.get(r.vehicleId)?.remove();
    const group = L.layerGroup();
    const line = (coords, dashed) =>
      L.polyline(coords.map(([lon, lat]) => [lat, lon]), { color: '#39d0ff', weight: 5, opacity: 0.95, dashArray: dashed ? '6 8' : null, className: dashed ? 'route-horizon' : 'route-base' });
    if (r.base.length > 1) line(r.base, false).bindTooltip(`${r.vehicleId} → job ${r.jobId.slice(0, 8)}`).addTo(group);
    if (r.horizon.length > 1) line(r.horizon, true).addTo(group);
    group.jobId = r.jobId;
    group.addTo(layers.routes);
    routes.set(r.vehicleId, group);
  }

  const clearRouteOfJob = (jobId) => {
    for (const [vehicleId, group] of routes) if (group.jobId === jobId) { group.remove(); routes.delete(vehicleId); }
  };

  function setIncident(i) {
    incidents.get(i.id)?.remove();
    incidents.delete(i.id);
    if (!i.active || !i.geometry) return;
    const layer = L.geoJSON(i.geometry, {
      style: { color: '#f85149', weight: 3, dashArray: '2 6', fillOpacity: 0.15 },
      pointToLayer: (_f, latlng) => L.circleMarker(latlng, { radius: 8, color: '#f85149', fillOpacity: 0.4, className: 'incident' }),
    }).bindTooltip(`${i.kind} · ${i.severity}<br>${i.description}`);
    layer.addTo(layers.incidents);
    incidents.set(i.id, layer);
  }

  return { map, setNetwork, setCongestion, setVehicle, setRoute, setIncident, clearRouteOfJob, routes };
}
