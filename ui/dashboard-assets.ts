// The files the dashboard loads besides its page: uPlot, the chart library
// (a small dependency-free canvas plotter, MIT, from npm), and the drawing of
// the topology's DAG (ui/dashboard-dag.js, this project's), served by `serve`
// itself so the dashboard needs no CDN and works on machines without
// internet. Read once, at first request.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface Asset {
  type: string;
  body: Buffer;
}

const JS = 'text/javascript; charset=utf-8';

/** Each asset's file: an npm module's (resolved from here), or one of ui/ (a URL beside this file). */
const FILES: Readonly<Record<string, readonly [file: string | URL, type: string]>> = {
  '/assets/uplot.js': ['uplot/dist/uPlot.iife.min.js', JS],
  '/assets/uplot.css': ['uplot/dist/uPlot.min.css', 'text/css; charset=utf-8'],
  '/assets/dag.js': [new URL('./dashboard-dag.js', import.meta.url), JS],
};

const loaded = new Map<string, Asset>();

/** The asset served at `path`, or undefined when there is none. */
export function dashboardAsset(path: string): Asset | undefined {
  const file = FILES[path];
  if (file === undefined) return undefined;
  let asset = loaded.get(path);
  if (asset === undefined) {
    asset = { type: file[1], body: readFileSync(typeof file[0] === 'string' ? require.resolve(file[0]) : file[0]) };
    loaded.set(path, asset);
  }
  return asset;
}

/** The asset paths (they hold no data: anyone may fetch them, like the page). */
export const ASSET_PATHS: readonly string[] = Object.keys(FILES);
