import { z } from 'zod';
import {
  CONFIG_SECTIONS,
  type ConfigSection,
  type ConfigVariable,
  type LambdaUse,
  type SectionName,
} from './config.schema';
import { LAMBDA_NEEDS, type LambdaAppName, isNeeded } from './lambda-needs';

/** The line before the generated table in a Markdown document. */
export const CONFIG_TABLE_START = '<!-- config-table:start -->';
/** The line after it. */
export const CONFIG_TABLE_END = '<!-- config-table:end -->';

const LAMBDA_APPS = Object.keys(LAMBDA_NEEDS) as LambdaAppName[];

/**
 * Every variable of {@link CONFIG_SECTIONS} as a Markdown table (variable, default, used by,
 * meaning), laid out as Prettier lays tables out, so that formatting the README keeps it.
 */
export function renderConfigTable(): string {
  const rows = (Object.keys(CONFIG_SECTIONS) as SectionName[]).flatMap((name) => {
    const section: ConfigSection = CONFIG_SECTIONS[name];
    return Object.entries(section.variables).map(([variable, spec]) => [
      `\`${variable}\``,
      shownDefault(spec),
      usedBy(section.host, spec.lambdas ?? section.lambdas),
      spec.description,
    ]);
  });
  return markdownTable(['variable', 'default', 'used by', 'meaning'], rows);
}

/** `document` with the text between the table's markers replaced by {@link renderConfigTable}. */
export function replaceConfigTable(document: string): string {
  const start = document.indexOf(CONFIG_TABLE_START);
  const end = document.indexOf(CONFIG_TABLE_END);
  if (start < 0 || end < start)
    throw new Error(`no ${CONFIG_TABLE_START} … ${CONFIG_TABLE_END} in the document`);
  return `${document.slice(0, start + CONFIG_TABLE_START.length)}\n\n${renderConfigTable()}\n${document.slice(end)}`;
}

function shownDefault(spec: ConfigVariable): string {
  if (spec.shownDefault !== undefined) return spec.shownDefault;
  if (spec.schema instanceof z.ZodDefault) return `\`${String(spec.schema.def.defaultValue)}\``;
  return '—';
}

function usedBy(host: boolean, lambdas: LambdaUse): string {
  return [...(host ? ['host'] : []), ...lambdaUsers(lambdas)].join(', ');
}

function lambdaUsers(use: LambdaUse): readonly string[] {
  if (use === 'none') return [];
  if (use === 'all') return ['every Lambda'];
  if ('need' in use) return LAMBDA_APPS.filter((app) => isNeeded(LAMBDA_NEEDS[app], use.need));
  return use;
}

function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = [header, ...rows].map((row) => row.map((cell) => cell.replaceAll('|', '\\|')));
  // Prettier pads to the display width: every character used here is one column, and one
  // UTF-16 unit, wide.
  const width = (text: string) => text.length;
  const widths = header.map((_, i) => Math.max(3, ...cells.map((row) => width(row[i] ?? ''))));
  const line = (row: readonly string[]) =>
    `| ${row.map((cell, i) => cell + ' '.repeat((widths[i] ?? 0) - width(cell))).join(' | ')} |`;
  const [head, ...body] = cells;
  return (
    [line(head ?? []), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n') + '\n'
  );
}
