import { type Command, Option } from 'commander';

/** The option and output habits every command shares. */

/** `--state <state>`, "only this state": a filter that takes one of `values`. */
const onlyOption = (name: string, values: readonly string[]) => new Option(`--${name} <${name}>`, `only this ${name}`).choices(values);

/** A list command's filters: `--<name>` for each of `filters`, taking one of its values, then `--scope`. */
export function withFilters(command: Command, filters: Record<string, readonly string[]>): Command {
  for (const [name, values] of Object.entries(filters)) command.addOption(onlyOption(name, values));
  return command.option('--scope <scope>', 'a region code (with its descendants) or dept:<code>');
}

/** A time as a list shows it: `2026-03-01 09:30`, or a dash for none. */
export const when = (iso: string | null) => (iso ? iso.replace('T', ' ').slice(0, 16) : '—');

/** JSON (for scripts) with `--json`, else the text a person reads. */
export function printAs(json: boolean | undefined, value: unknown, text: () => string): void {
  console.log(json ? JSON.stringify(value, null, 2) : text());
}
