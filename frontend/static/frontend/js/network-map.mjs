// Draws the network map with cytoscape.js from the graph the page embeds as JSON
// (#network-graph). The tables on the page hold the same content, so without JavaScript the
// map simply stays hidden. Cytoscape draws on a canvas: no inline styles for the CSP to refuse.
import cytoscape from '../build/cytoscape.esm.min.mjs'

// GOV.UK palette colours, one per kind of node; labels are drawn in GOV.UK black.
const COLOURS = {
  person: '#1d70b8',
  family: '#00703c',
  friend: '#4c2c92',
  volunteer: '#f47738',
  professional: '#0b0c0c',
  agency: '#505a5f',
  relative: '#d4351c'
}

function elementsOf (graph) {
  const ids = new Set(graph.nodes.map((node) => node.id))
  const nodes = graph.nodes.map((node) => ({
    data: { id: node.id, label: node.label, kind: node.kind }
  }))
  const edges = graph.edges
    .filter((edge) => ids.has(edge.source) && ids.has(edge.target))
    .map((edge, index) => ({
      data: { id: `edge-${index}`, source: edge.source, target: edge.target, label: edge.label }
    }))
  return [...nodes, ...edges]
}

function draw (container, graph) {
  const centre = graph.nodes.length ? graph.nodes[0].id : null
  container.hidden = false
  return cytoscape({
    container,
    elements: elementsOf(graph),
    // The page scrolls with the finger, not the map: no zooming that would trap it.
    userZoomingEnabled: false,
    boxSelectionEnabled: false,
    autoungrabify: true,
    layout: {
      name: 'concentric',
      animate: false,
      minNodeSpacing: 48,
      // The person in the middle, the people around them, agencies on the outside.
      concentric: (node) => (node.id() === centre ? 3 : node.data('kind') === 'agency' ? 1 : 2),
      levelWidth: () => 1
    },
    style: [
      {
        selector: 'node',
        style: {
          'background-color': (node) => COLOURS[node.data('kind')] || COLOURS.professional,
          label: 'data(label)',
          color: '#0b0c0c',
          'font-family': 'system-ui, -apple-system, "Segoe UI", Roboto, arial, sans-serif',
          'font-size': 14,
          'text-valign': 'bottom',
          'text-margin-y': 6,
          'text-wrap': 'wrap',
          'text-max-width': 140,
          'text-background-color': '#ffffff',
          'text-background-opacity': 0.85,
          'text-background-padding': 2,
          width: 28,
          height: 28
        }
      },
      {
        selector: 'node[kind = "centre"]',
        style: { width: 44, height: 44, 'font-weight': 'bold' }
      },
      {
        selector: 'node[kind = "agency"]',
        style: { shape: 'round-rectangle' }
      },
      {
        selector: 'edge',
        style: {
          width: 2,
          'line-color': '#505a5f',
          'curve-style': 'bezier',
          label: 'data(label)',
          'font-size': 12,
          color: '#0b0c0c',
          'text-rotation': 'autorotate',
          'text-background-color': '#ffffff',
          'text-background-opacity': 0.85,
          'text-background-padding': 2
        }
      }
    ]
  })
}

// Cytoscape adds an inline <style> for `position: relative` on its container unless an element
// with this id exists. Our CSP refuses inline styles, so caregraph.css holds that rule
// (.app-network-map) and this marker tells cytoscape it is there.
const CYTOSCAPE_STYLESHEET_ID = '__________cytoscape_stylesheet'
if (!document.getElementById(CYTOSCAPE_STYLESHEET_ID)) {
  const marker = document.createElement('meta')
  marker.id = CYTOSCAPE_STYLESHEET_ID
  document.head.append(marker)
}

const container = document.getElementById('network-map')
const data = document.getElementById('network-graph')
if (container && data) {
  draw(container, JSON.parse(data.textContent))
}
