/**
 * Worker-side hooks for the robustness tests (window.mshareExplorer.crashWorkerForTest): the
 * ways a worker fails in the field, on demand. The page's engine client (src/ui/engine-client.ts)
 * must notice each, say so, restart the worker and rebuild the machine from the script.
 *
 * - `throw`: an uncaught exception in the worker (an engine bug outside any call): the
 *   Worker's `error` event.
 * - `hang`: the worker stops answering (an endless loop): only the page's watchdog sees it.
 * - `reject`: a call fails with an exception out of the engine (a RunnerBugError and the like).
 */
export type CrashMode = 'throw' | 'hang' | 'reject';

export interface WorkerTestHooks {
  crashForTest(mode: CrashMode): void;
}

export const workerTestHooks: WorkerTestHooks = {
  crashForTest(mode) {
    if (mode === 'throw') {
      setTimeout(() => {
        throw new Error('engine crash requested by a test (crashWorkerForTest)');
      }, 0);
    } else if (mode === 'hang') {
      setTimeout(() => {
        const until = Infinity;
        while (performance.now() < until) {
          /* spin: the worker never answers again */
        }
      }, 0);
    } else {
      throw new Error('engine error requested by a test (crashWorkerForTest)');
    }
  },
};
