// Config templates in deploy/config/ carry {{name}} placeholders; rendering
// refuses to leave one unfilled, so a typo never reaches a running broker.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const CONFIG_TEMPLATE_DIR = fileURLToPath(new URL('../config/', import.meta.url));

export function renderTemplate(template: string, values: Record<string, string | number>): string {
  const missing = new Set<string>();
  const rendered = template.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) {
      missing.add(name);
      return '';
    }
    return String(value);
  });
  if (missing.size > 0) throw new Error(`config template has no value for ${[...missing].join(', ')}`);
  return rendered;
}

export async function renderTemplateFile(name: string, values: Record<string, string | number>): Promise<string> {
  const template = await readFile(new URL(name, `file://${CONFIG_TEMPLATE_DIR}`), 'utf8');
  return renderTemplate(template, values);
}
