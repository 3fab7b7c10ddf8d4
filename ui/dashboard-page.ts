// The live dashboard: ui/dashboard.html, one page (inline CSS and JS; its
// chart library from `serve` itself, ui/dashboard-assets.ts, nothing from
// elsewhere), told which topology to show.
import { readFileSync } from 'node:fs';

const TEMPLATE = readFileSync(new URL('./dashboard.html', import.meta.url), 'utf8');

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** The page for `topology` (the one shown when the page's URL names none). */
export function dashboardPage(topology: string): string {
  const escaped = topology.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
  return TEMPLATE.replaceAll('{{topology}}', escaped);
}
