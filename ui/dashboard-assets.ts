// The files the dashboard loads besides its page: uPlot, the chart library
// (a small dependency-free canvas plotter, MIT, from npm), served by `serve`
// itself so the dashboard needs no CDN and works on machines without
// internet. Read once, at first request.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface Asset {
  type: string;
  body: Buffer;
}

const FILES: Readonly<Record<string, readonly [module: string, type: string]>> = {
  '/assets/uplot.js': ['uplot/dist/uPlot.iife.min.js', 'text/javascript; charset=utf-8'],
  '/assets/uplot.css': ['uplot/dist/uPlot.min.css', 'text/css; charset=utf-8'],
};

const loaded = new Map<string, Asset>();

/** The asset served at `path`, or undefined when there is none. */
export function dashboardAsset(path: string): Asset | undefined {
  const file = FILES[path];
  if (file === undefined) return undefined;
  let asset = loaded.get(path);
  if (asset === undefined) {
    asset = { type: file[1], body: readFileSync(require.resolve(file[0])) };
    loaded.set(path, asset);
  }
  return asset;
}

/** The asset paths (they hold no data: anyone may fetch them, like the page). */
export const ASSET_PATHS: readonly string[] = Object.keys(FILES);
