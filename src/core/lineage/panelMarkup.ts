/**
 * The lineage panel's static markup (no data: that arrives by postMessage). Here rather than in the
 * panel's host file so that the bench and the browser tests draw the very same page.
 * One toolbar line in a narrow panel: the selector shrinks, the frequent actions stay as buttons and
 * the rest (zoom, grouping, export) is in the "⋯" menu; the status has its own line below.
 */
export const LINEAGE_BODY = `<div class="toolbar" role="toolbar" aria-label="Lineage">
<input id="selector" type="text" spellcheck="false" placeholder="Select: +name, name+, 2+name+1, tag:x, path:models/x" aria-label="Node selector">
<button id="apply" class="primary" title="Show the nodes the selector picks">Select</button>
<button id="around" title="Two hops up and down around the current file">Around file</button>
<button id="full" title="Every node of the project (large projects: grouped by folder)">Full graph</button>
<button id="fit" title="Fit the graph in the panel (never smaller than readable: pan to see the rest)">Fit</button>
<details id="more" class="more"><summary title="Zoom, grouping and export" aria-label="More actions">⋯</summary>
<div class="menu" role="menu">
<button id="zoom-in" role="menuitem" title="Zoom in">Zoom in</button>
<button id="zoom-out" role="menuitem" title="Zoom out">Zoom out</button>
<button id="clusters" role="menuitem" title="Large views: draw every node, or group them by folder">Show every node</button>
<button id="export-svg" role="menuitem" title="Save the current view as SVG">Export SVG…</button>
<button id="export-png" role="menuitem" title="Save the current view as PNG">Export PNG…</button>
</div>
</details>
</div>
<div class="statusbar"><span id="status" role="status"></span></div>
<div id="banner" class="notice" role="alert" hidden></div>
<div id="message" class="notice" hidden></div>
<div id="empty" hidden></div>
<svg id="graph" role="img" aria-label="Lineage graph"><defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z"/></marker></defs><g id="viewport"></g></svg>`;
