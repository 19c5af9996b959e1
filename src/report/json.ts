// The JSON report: the run's full result, as described by schema/report.schema.json.
// `certharness merge` reads these back to combine shards.
import type { Reporter, RunResult } from '../runner/events.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';

export class JsonReporter implements Reporter {
  private readonly path: string;
  constructor(path: string) {
    this.path = path;
  }
  async onRunEnd(result: RunResult): Promise<void> {
    await writeFileAtomic(this.path, JSON.stringify(result, null, 2) + '\n');
  }
}
