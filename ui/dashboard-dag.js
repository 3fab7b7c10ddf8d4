// The dashboard's drawing of a topology's DAG: the description `/api/topology`
// answers (topology/dsl/description.ts), laid out in layers and drawn as
// inline SVG by hand, no library. Each component stands in the layer after
// the deepest of its inputs (the spout in the first), left to right; within a
// layer, in declaration order. The spout's source topic stands before it.
// An edge is labelled with its grouping above and where its tuples go below
// (`local`, `fused`, or the repartition topic it crosses). Served by `serve`
// at /assets/dag.js (ui/dashboard-assets.ts); defines
// `tabstreamDag.layout(description)` (positions only: no DOM) and
// `tabstreamDag.draw(svg, description)`.
"use strict";
(function (root) {
  const NODE_W = 140;
  const NODE_H = 62;
  const GAP_Y = 26;
  const PAD = 16;
  /** About the width of a character of the 11 px labels, to make room for the longest edge label. */
  const CHAR_W = 6.3;
  /** The room between two layers: the longest edge label's line, within these bounds (a longer label wraps). */
  const GAP_MIN = 100;
  const GAP_MAX = 140;
  const LABEL_LINE = 13;
  const SVG_NS = "http://www.w3.org/2000/svg";

  function grouping(g) {
    return g.kind === "fields" ? "fields(" + g.fields.join(", ") + ")" : g.kind;
  }

  /** Where an edge's tuples are processed, as `topology deploy` prints it, shortened. */
  function placement(p) {
    if (p.kind === "local") return "local";
    if (p.kind === "keyed" && p.fused) return "fused";
    return "via " + p.topic;
  }

  /** `×N tasks` when the task count is known, else the parallelism declared, else nothing. */
  function tasks(c) {
    if (c.tasks !== undefined) return "×" + c.tasks + (c.tasks === 1 ? " task" : " tasks");
    if (c.parallelism !== undefined) return "parallelism " + c.parallelism;
    return "";
  }

  /**
   * Positions of every node and edge: nodes (the source topic, then the
   * components) with x, y, w, h and their lines of text; edges with their end
   * points and labels; and the picture's width and height.
   */
  function layout(d) {
    const layerOf = new Map();
    for (const c of d.components) {
      const inputs = d.edges.filter((e) => e.to === c.name).map((e) => layerOf.get(e.from));
      layerOf.set(c.name, 1 + (inputs.length ? Math.max(...inputs.map((l) => (l === undefined ? 0 : l))) : 0));
    }
    const spout = d.components.find((c) => c.kind === "spout");
    const source = d.topics.find((t) => t.role === "source");
    const layers = [];
    const add = (layer, node) => (layers[layer] = layers[layer] || []).push(node);
    if (spout && source) {
      add(0, { kind: "topic", name: source.topic, lines: ["Kafka topic", source.partitions !== undefined ? source.partitions + " partitions" : ""] });
    }
    for (const c of d.components) {
      const what = c.kind === "spout" ? "spout · " + c.type : "bolt · " + c.type;
      const third = c.kind === "spout" ? [tasks(c), c.keyField !== undefined ? "key " + c.keyField : ""].filter(Boolean).join(" · ") : tasks(c);
      add(layerOf.get(c.name), { kind: c.kind, name: c.name, lines: [what, third] });
    }
    const edges = d.edges.map((e) => ({ from: e.from, to: e.to, grouping: grouping(e.grouping), placement: placement(e.placement) }));
    const widest = Math.max(0, ...edges.map((e) => Math.max(e.grouping.length, e.placement.length)));
    const gapX = Math.round(Math.min(GAP_MAX, Math.max(GAP_MIN, widest * CHAR_W + 36)));
    const chars = Math.floor((gapX - 16) / CHAR_W);
    for (const e of edges) Object.assign(e, { groupingLines: wrap(e.grouping, chars), placementLines: wrap(e.placement, chars) });
    // Without a source topic the first column is empty: the columns are the layers that hold a node.
    const columns = layers.filter(Boolean);
    const rows = Math.max(1, ...columns.map((l) => l.length));
    const height = PAD * 2 + rows * NODE_H + (rows - 1) * GAP_Y;
    const nodes = [];
    columns.forEach((layer, i) => {
      const top = (height - (layer.length * NODE_H + (layer.length - 1) * GAP_Y)) / 2;
      layer.forEach((node, j) => nodes.push({ ...node, layer: i, x: PAD + i * (NODE_W + gapX), y: top + j * (NODE_H + GAP_Y), w: NODE_W, h: NODE_H }));
    });
    const at = new Map(nodes.filter((n) => n.kind !== "topic").map((n) => [n.name, n]));
    const placed = edges
      .filter((e) => at.has(e.from) && at.has(e.to))
      .map((e) => {
        const a = at.get(e.from);
        const b = at.get(e.to);
        return { ...e, x1: a.x + a.w, y1: a.y + a.h / 2, x2: b.x, y2: b.y + b.h / 2 };
      });
    const topicNode = nodes.find((n) => n.kind === "topic");
    if (topicNode && spout) {
      const s = at.get(spout.name);
      placed.unshift({ from: topicNode.name, to: spout.name, source: true, grouping: "", placement: "", groupingLines: [], placementLines: [], x1: topicNode.x + topicNode.w, y1: topicNode.y + topicNode.h / 2, x2: s.x, y2: s.y + s.h / 2 });
    }
    const width = PAD * 2 + columns.length * NODE_W + (columns.length - 1) * gapX;
    return { nodes, edges: placed, width, height, topics: d.topics.filter((t) => t.role !== "source") };
  }

  /**
   * `text` in lines of about `chars` characters, broken before a dot and after
   * a space or comma (a topic's name, a field list), cut where it has none:
   * joined again they are `text` itself.
   */
  function wrap(text, chars) {
    const parts = text.split(/(?=\.)|(?<=[ ,])/);
    const lines = [];
    for (const part of parts) {
      const last = lines.length - 1;
      if (last >= 0 && lines[last].length + part.length <= chars) lines[last] += part;
      else for (let i = 0; i < part.length; i += chars) lines.push(part.slice(i, i + chars));
    }
    return lines;
  }

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** `text`, cut with an ellipsis to about `chars` characters (the whole in its tooltip). */
  function fitted(text, chars) {
    return text.length <= chars ? text : text.slice(0, chars - 1) + "…";
  }

  /** A centred <text> of `lines`, one <tspan> a line (its textContent is the lines joined, the label unbroken). */
  function label(cls, x, y, lines) {
    const text = svg("text", { class: cls, x, y, "text-anchor": "middle" });
    lines.forEach((line, i) => text.append(svg("tspan", { x, dy: i === 0 ? 0 : LABEL_LINE }, line)));
    return text;
  }

  /** Draws `d` into the <svg> element `target`, replacing what it held. */
  function draw(target, d) {
    const l = layout(d);
    target.replaceChildren();
    target.setAttribute("viewBox", "0 0 " + l.width + " " + l.height);
    target.setAttribute("width", String(l.width));
    target.setAttribute("height", String(l.height));
    const defs = svg("defs");
    const marker = svg("marker", { id: "dag-arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
    marker.append(svg("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "dag-arrowhead" }));
    defs.append(marker);
    target.append(defs);
    for (const e of l.edges) {
      const g = svg("g", { class: "dag-edge" + (e.source ? " dag-source" : ""), "data-from": e.from, "data-to": e.to });
      const mid = (e.x1 + e.x2) / 2;
      g.append(svg("path", { d: "M " + e.x1 + " " + e.y1 + " C " + mid + " " + e.y1 + ", " + mid + " " + e.y2 + ", " + e.x2 + " " + e.y2, "marker-end": "url(#dag-arrow)" }));
      const my = (e.y1 + e.y2) / 2;
      // The grouping above the line (its last line just above), where the tuples go below.
      const above = e.groupingLines.length;
      if (above) g.append(label("dag-grouping", mid, my - 7 - (above - 1) * LABEL_LINE, e.groupingLines));
      if (e.placementLines.length) g.append(label("dag-placement" + (e.placement.startsWith("via ") ? " dag-repartition" : ""), mid, my + 15, e.placementLines));
      target.append(g);
    }
    for (const n of l.nodes) {
      const g = svg("g", { class: "dag-node dag-" + n.kind, "data-name": n.name, "data-kind": n.kind, transform: "translate(" + n.x + " " + n.y + ")" });
      g.append(svg("title", {}, n.name));
      g.append(svg("rect", { width: n.w, height: n.h, rx: n.kind === "topic" ? n.h / 2 : 8 }));
      g.append(svg("text", { class: "dag-name", x: 12, y: 21 }, fitted(n.name, 16)));
      n.lines.forEach((line, i) => line && g.append(svg("text", { class: "dag-line", x: 12, y: 38 + i * 15 }, fitted(line, 22))));
      target.append(g);
    }
    return l;
  }

  root.tabstreamDag = { layout, draw, wrap };
})(typeof window !== "undefined" ? window : globalThis);
