// A stack of clean-up actions. Each resource registers its clean-up before it is set up,
// so a setup that throws halfway is still undone; clean-ups run in reverse order, all of
// them, even when some fail.
export class TeardownStack {
  private readonly actions: { label: string; run: () => Promise<void> | void }[] = [];

  push(label: string, run: () => Promise<void> | void): void {
    this.actions.push({ label, run });
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
    return failures;
  }
}
