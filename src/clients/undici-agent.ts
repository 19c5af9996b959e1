// An undici Agent made with the first request through it: undici is loaded then, not with every
// command that could make one (bench/README.md, startup).
import type { Agent } from 'undici';

export interface LazyAgent {
  /** The agent, and undici's request and stream, loading undici the first time. */
  get(): Promise<{ agent: Agent; request: typeof import('undici').request; stream: typeof import('undici').stream }>;
  /** Closes the agent if a request ever made it. */
  close(): Promise<void>;
}

export function lazyAgent(options: ConstructorParameters<typeof Agent>[0]): LazyAgent {
  let made: ReturnType<LazyAgent['get']> | undefined;
  return {
    get: () => (made ??= import('undici').then((u) => ({ agent: new u.Agent(options), request: u.request, stream: u.stream }))),
    close: async () => {
      if (made) await (await made).agent.close();
    },
  };
}
