// One bundle for every chart page, so that Vega and vega-lite are in the VSIX once (before: one
// ~880 KB bundle per page). The page says which one it is with <body data-page="…">; only that
// page's module runs (esbuild keeps each dynamically imported module lazy inside the bundle).
const pages: Record<string, () => Promise<unknown>> = {
  'charts-metric': () => import('./metric/main'),
  'charts-model': () => import('./model/main'),
  'charts-dashboard': () => import('./dashboard/main'),
  chart: () => import('../chart/main'),
};

const page = pages[document.body.dataset.page ?? ''];
if (page) void page();
else document.body.append(`Unknown chart page ${JSON.stringify(document.body.dataset.page ?? null)}.`);
