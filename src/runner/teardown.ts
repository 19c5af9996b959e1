// A stack of clean-up actions. Each resource registers its clean-up before it is set up,
// so a setup that throws halfway is still undone; clean-ups run in reverse order, all of
// them, even when some fail. Every stack with work left is also known to `unwindAll`, the
// last resort a crashing process calls so it never leaves a daemon or a key behind.
const live = new Set<TeardownStack>();

export class TeardownStack {
  private readonly actions: { label: string; run: () => Promise<void> | void }[] = [];

  push(label: string, run: () => Promise<void> | void): void {
    this.actions.push({ label, run });
    live.add(this);
  }

  /** Runs every action, last registered first; returns the failures as messages. */
  async unwind(): Promise<string[]> {
    const failures: string[] = [];
    while (this.actions.length) {
      const a = this.actions.pop()!;
      try {
        await a.run();
      } catch (e) {
        failures.push(`${a.label}: ${(e as Error)?.message ?? String(e)}`);
      }
    }
    live.delete(this);
    return failures;
  }
}

/** Unwinds every stack that still has actions, all at once; used when the process must stop now. */
export async function unwindAll(): Promise<void> {
  await Promise.allSettled([...live].map((s) => s.unwind()));
}
