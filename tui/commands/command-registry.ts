// One command registry (STYLE.md §3.3 conv. 12): every action has an id, a title and a category,
// and the palette, the keybindings and the help screen all read this one table. `when` hides a
// command where it cannot run (no job selected, not connected), as VS Code's context keys do.

export interface Command<C> {
  /** category.action, e.g. 'jobs.cancel'. */
  id: string;
  title: string;
  category: string;
  when?: (ctx: C) => boolean;
  run: (ctx: C) => void | Promise<void>;
}

export class CommandRegistry<C> {
  private readonly commands = new Map<string, Command<C>>();

  /** Add a command; returns a disposer. A duplicate id is a programming error. */
  register(command: Command<C>): () => void {
    if (this.commands.has(command.id)) throw new Error(`command ${command.id} is already registered`);
    this.commands.set(command.id, command);
    return () => this.commands.delete(command.id);
  }

  get(id: string): Command<C> | undefined {
    return this.commands.get(id);
  }

  /** All commands, or only those whose `when` holds for ctx. */
  list(ctx?: C): Command<C>[] {
    const all = [...this.commands.values()];
    return ctx === undefined ? all : all.filter((c) => !c.when || c.when(ctx));
  }

  /** Run a command by id; false when unknown or not applicable now. */
  async execute(id: string, ctx: C): Promise<boolean> {
    const command = this.commands.get(id);
    if (!command || (command.when && !command.when(ctx))) return false;
    await command.run(ctx);
    return true;
  }
}

/**
 * Subsequence match of the query in "Category: Title" (case-insensitive), best first: contiguous
 * runs and matches at word starts score higher, as in VS Code's quick open.
 */
export function filterCommands<C>(commands: readonly Command<C>[], query: string): Command<C>[] {
  const q = query.trim().toLowerCase();
  if (!q) return [...commands];
  const scored: { c: Command<C>; score: number }[] = [];
  for (const c of commands) {
    const score = fuzzyScore(`${c.category}: ${c.title}`.toLowerCase(), q);
    if (score !== null) scored.push({ c, score });
  }
  return scored.sort((a, b) => b.score - a.score).map((s) => s.c);
}

export function fuzzyScore(text: string, query: string): number | null {
  let score = 0;
  let at = 0;
  let prev = -2;
  for (const ch of query) {
    if (ch === ' ') continue;
    const i = text.indexOf(ch, at);
    if (i < 0) return null;
    score += 1;
    if (i === prev + 1) score += 3;
    if (i === 0 || text[i - 1] === ' ' || text[i - 1] === ':' || text[i - 1] === '.') score += 2;
    prev = i;
    at = i + 1;
  }
  return score - text.length / 100;
}
